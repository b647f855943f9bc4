import type { ReactNode } from 'react';
import Link from '@mui/material/Link';
import { Link as RouterLink } from 'react-router-dom';

/** A link to a job's page, `/jobs/:id`. */
export function JobLink(props: { id: string; children: ReactNode }) {
  return (
    <Link component={RouterLink} to={`/jobs/${encodeURIComponent(props.id)}`}>
      {props.children}
    </Link>
  );
}
