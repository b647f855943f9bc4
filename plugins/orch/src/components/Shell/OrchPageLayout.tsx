import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

/**
 * The frame of an Orch page: one `h1`, an optional line under it, actions on
 * the right, then the content. Pages share it so that headings, spacing and
 * landmarks read the same everywhere.
 * @public
 */
export function OrchPageLayout(props: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Box component="section" aria-labelledby="orch-page-title" sx={{ p: 3 }}>
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        justifyContent="space-between"
        alignItems={{ xs: 'flex-start', sm: 'center' }}
        spacing={2}
        mb={3}
      >
        <Box>
          <Typography id="orch-page-title" component="h1" variant="h4">
            {props.title}
          </Typography>
          {props.subtitle && (
            <Typography color="text.secondary" mt={0.5}>
              {props.subtitle}
            </Typography>
          )}
        </Box>
        {props.actions && (
          <Stack direction="row" spacing={1} alignItems="center">
            {props.actions}
          </Stack>
        )}
      </Stack>
      {props.children}
    </Box>
  );
}
