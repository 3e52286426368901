/** What the API said was wrong, read out to screen readers as soon as it appears. */
import type { ApiError } from '../api';

export function ProblemAlert({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  const { title, detail, errors, status } = error.problem;
  return (
    <div role="alert" className="problem">
      <strong>
        {title}
        {status ? ` (${status})` : ''}
      </strong>
      {errors?.length ? (
        <ul>
          {errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path || 'request'}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : (
        <p>{detail}</p>
      )}
    </div>
  );
}
