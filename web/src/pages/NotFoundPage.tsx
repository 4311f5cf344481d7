import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p className="muted">
        There is nothing at this address. <Link to="/">Back to your groups</Link>.
      </p>
    </div>
  );
}
