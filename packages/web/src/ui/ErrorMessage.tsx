import { errorText } from './error-text';

/** A failed call, announced to screen readers as it appears. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const { title, details } = errorText(error);
  return (
    <div className="error" role="alert">
      <p>{title}</p>
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
