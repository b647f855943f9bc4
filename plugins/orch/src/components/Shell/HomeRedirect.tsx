import { Navigate } from 'react-router-dom';

/** `/` is the dashboard: sign-in lands there. */
export function HomeRedirect() {
  return <Navigate to="/dashboard" replace />;
}
