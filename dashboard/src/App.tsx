/**
 * The dashboard's frame: sign-in, then the views a care team uses — team (caseloads, overdue work,
 * the MDT list), journey (timeline, deadlines, actions), inbox and evaluation. Hash routes, so any
 * static host (the Node server, S3 behind CloudFront) serves every view from one index.html.
 */
import type { ReactNode } from 'react';
import { HashRouter, Navigate, NavLink, Route, Routes, useNavigate } from 'react-router-dom';
import { Evaluation } from './pages/Evaluation';
import { FindPerson } from './pages/FindPerson';
import { Inbox } from './pages/Inbox';
import { JourneyView } from './pages/JourneyView';
import { MdtMeeting } from './pages/MdtMeeting';
import { MyReferrals } from './pages/MyReferrals';
import { Refer } from './pages/Refer';
import { SignIn } from './pages/SignIn';
import { Staff } from './pages/Staff';
import { TeamView } from './pages/TeamView';
import { SessionProvider, useSession } from './session';
import { isStaff, refers, searches, seesMetrics, seesStaff } from './types';

export function App() {
  return (
    <HashRouter>
      <SessionProvider>
        <Routes>
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="/team/:teamId?" element={<SignedIn>{<TeamView />}</SignedIn>} />
          <Route path="/mdt/:teamId?" element={<SignedIn>{<MdtMeeting />}</SignedIn>} />
          <Route path="/journeys/:id" element={<SignedIn>{<JourneyView />}</SignedIn>} />
          <Route path="/inbox" element={<SignedIn>{<Inbox />}</SignedIn>} />
          <Route path="/evaluation" element={<SignedIn>{<Evaluation />}</SignedIn>} />
          <Route path="/find" element={<SignedIn>{<FindPerson />}</SignedIn>} />
          <Route path="/staff" element={<SignedIn>{<Staff />}</SignedIn>} />
          <Route path="/staff/:teamId" element={<SignedIn>{<Staff />}</SignedIn>} />
          <Route path="/refer" element={<SignedIn>{<Refer />}</SignedIn>} />
          <Route path="/my-referrals" element={<SignedIn>{<MyReferrals />}</SignedIn>} />
          <Route path="*" element={<Home />} />
        </Routes>
      </SessionProvider>
    </HashRouter>
  );
}

function Home() {
  const { session } = useSession();
  if (!session) return <Navigate to="/sign-in" replace />;
  const role = session.user.role;
  return <Navigate to={isStaff(role) ? '/team' : role === 'referrer' ? '/my-referrals' : '/inbox'} replace />;
}

function SignedIn({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  if (!session) return <Navigate to="/sign-in" replace />;
  const { user } = session;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">carepath</span>
        <nav aria-label="Main">
          {isStaff(user.role) ? <NavLink to="/team">Team</NavLink> : null}
          {searches(user.role) ? <NavLink to="/find">Find a person</NavLink> : null}
          <NavLink to="/inbox">Inbox</NavLink>
          {refers(user.role) ? <NavLink to="/refer">Refer</NavLink> : null}
          {refers(user.role) ? <NavLink to="/my-referrals">My referrals</NavLink> : null}
          {seesStaff(user.role) ? <NavLink to="/staff">Staff</NavLink> : null}
          {seesMetrics(user.role) ? <NavLink to="/evaluation">Evaluation</NavLink> : null}
        </nav>
        <span className="who">
          {user.name} · {user.role}
          {user.teams.length ? ` · ${user.teams.join(', ')}` : ''}
        </span>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            void signOut().then(() => navigate('/sign-in'));
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
