import type { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

/**
 * One dashboard widget: a titled card that shows a spinner before the first
 * answer, the error with a retry when loading failed, else its content.
 */
export function WidgetCard(props: {
  id: string;
  title: string;
  loading?: boolean;
  error?: Error;
  errorTitle?: string;
  retryLabel?: string;
  onRetry?: () => void;
  action?: ReactNode;
  /** Announce changes to screen readers (for small, counted content). */
  live?: boolean;
  children?: ReactNode;
}) {
  const titleId = `${props.id}-title`;
  let body: ReactNode = props.children;
  if (props.error) {
    body = (
      <Alert
        severity="error"
        action={
          props.onRetry && (
            <Button color="inherit" size="small" onClick={props.onRetry}>
              {props.retryLabel}
            </Button>
          )
        }
      >
        {props.errorTitle && <strong>{props.errorTitle}: </strong>}
        {props.error.message}
      </Alert>
    );
  } else if (props.loading) {
    body = (
      <Stack alignItems="center" py={3}>
        <CircularProgress size={28} aria-labelledby={titleId} />
      </Stack>
    );
  }
  return (
    <Card
      component="section"
      aria-labelledby={titleId}
      variant="outlined"
      data-testid={props.id}
      sx={{ height: '100%' }}
    >
      <CardContent>
        <Stack
          direction="row"
          justifyContent="space-between"
          alignItems="center"
          mb={1.5}
        >
          <Typography id={titleId} component="h2" variant="h6">
            {props.title}
          </Typography>
          {props.action}
        </Stack>
        <div aria-live={props.live ? 'polite' : undefined}>{body}</div>
      </CardContent>
    </Card>
  );
}
