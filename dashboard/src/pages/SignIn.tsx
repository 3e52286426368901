/**
 * Sign-in. Locally (dev tokens) a person picks who they are from the configured teams; in AWS they
 * go through the Cognito hosted UI.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError, loadConfig } from '../api';
import { completeCognitoSignIn, startCognitoSignIn } from '../cognito';
import { ProblemAlert } from '../components/ProblemAlert';
import { useSession } from '../session';
import { isStaff, type DashboardConfig, type User } from '../types';
import { useLoad } from '../useLoad';

const roleNames: Record<string, string> = {
  coordinator: 'Care co-ordinators',
  'team-lead': 'Team leads',
  'service-manager': 'Service managers',
  ops: 'Operations',
  admin: 'Administrators',
  'ig-lead': 'Information governance leads',
  referrer: 'Referrers',
  'discharge-team': 'Hospital discharge teams',
};

export function SignIn() {
  const config = useLoad(loadConfig, []);
  if (!config.data) return <ProblemAlert error={config.error} />;
  return config.data.auth.kind === 'dev' ? <DevSignIn /> : <CognitoSignIn auth={config.data.auth} />;
}

function useLanding() {
  const navigate = useNavigate();
  // A client-side navigation: nothing to wait for, and nothing that can fail worth reporting.
  return (user: User) =>
    void navigate(isStaff(user.role) ? '/team' : user.role === 'referrer' ? '/my-referrals' : '/inbox', {
      replace: true,
    });
}

function DevSignIn() {
  const { signIn } = useSession();
  const land = useLanding();
  const directory = useLoad(() => api<{ users: User[] }>('GET', '/auth/dev-directory'), []);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<ApiError>();
  const users = directory.data?.users ?? [];
  const key = (u: User) => `${u.role}:${u.sub}`;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const user = users.find((u) => key(u) === choice);
    if (!user) return;
    try {
      const { token } = await api<{ token: string }>('POST', '/auth/dev-token', {
        sub: user.sub,
        role: user.role,
        teams: user.teams,
        ...(user.organisation ? { organisation: user.organisation } : {}),
      });
      await signIn(token, user);
      land(user);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  return (
    <main className="sign-in">
      <h1>Sign in to carepath</h1>
      <p>
        Local development sign-in: choose who you are. Each person comes with the role and teams the programme
        configuration gives them.
      </p>
      <ProblemAlert error={directory.error ?? error} />
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="person">Person</label>
          <select id="person" value={choice} onChange={(e) => setChoice(e.target.value)} required>
            <option value="" disabled>
              Choose a person…
            </option>
            {Object.entries(roleNames).map(([role, heading]) => (
              <optgroup key={role} label={heading}>
                {users
                  .filter((u) => u.role === role)
                  .map((u) => (
                    <option key={key(u)} value={key(u)}>
                      {u.name}
                      {u.teams.length ? ` — ${u.teams.join(', ')}` : ''}
                      {u.organisation ? ` — ${u.organisation}` : ''}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
        <button type="submit" disabled={!choice}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function CognitoSignIn({ auth }: { auth: Extract<DashboardConfig['auth'], { kind: 'cognito' }> }) {
  const { signIn } = useSession();
  const land = useLanding();
  const [error, setError] = useState<string>();
  const code = new URLSearchParams(location.search).get('code');
  useEffect(() => {
    if (!code) return;
    history.replaceState(null, '', location.pathname + location.hash);
    completeCognitoSignIn(auth, code)
      .then(async ({ token, refreshToken, user }) => {
        await signIn(token, user, refreshToken);
        land(user);
      })
      .catch((e: Error) => setError(e.message));
    // Runs once, for the code the hosted UI returned with.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <main className="sign-in">
      <h1>Sign in to carepath</h1>
      {error ? (
        <div role="alert" className="problem">
          {error}
        </div>
      ) : null}
      <button type="button" onClick={() => void startCognitoSignIn(auth)}>
        Sign in with your organisation account
      </button>
    </main>
  );
}
