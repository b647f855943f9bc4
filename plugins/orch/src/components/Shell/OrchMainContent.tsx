import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import { ORCH_MAIN_CONTENT_ID } from './OrchTopBar';

/**
 * The page area under the top bar: the `main` landmark the skip link
 * targets, on the theme's background (Backstage's own page background does
 * not follow Orch's palette).
 * @public
 */
export function OrchMainContent(props: { children: ReactNode }) {
  return (
    <Box
      component="main"
      id={ORCH_MAIN_CONTENT_ID}
      tabIndex={-1}
      sx={{
        flexGrow: 1,
        outline: 'none',
        bgcolor: 'background.default',
        color: 'text.primary',
      }}
    >
      {props.children}
    </Box>
  );
}
