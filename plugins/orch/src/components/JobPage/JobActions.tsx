import { type FormEvent, useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { LinkButton } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  isFinalJobStatus,
  jobCancelPermission,
  jobRelaunchPermission,
  runbookExecutePermission,
  SECRET_KEYWORD,
  type Job,
  type Runbook,
} from '@internal/backstage-plugin-orch-common';
import type { JobsClient } from '../../api/jobsApi';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { isMasked } from './format';

type FieldErrors = Record<string, string>;

/** A 400's failing fields (`body.fields`), by input name. */
function fieldErrors(error: unknown, invalid: string): FieldErrors {
  const body = (error as ResponseError | undefined)?.body as
    | { fields?: unknown }
    | undefined;
  const out: FieldErrors = {};
  if (Array.isArray(body?.fields)) {
    for (const f of body!.fields as Array<{
      field?: string;
      message?: string;
    }>) {
      if (f.field) {
        out[f.field.replace(/^(inputs|secrets)\./, '')] = f.message ?? invalid;
      }
    }
  }
  return out;
}

/** The inputs of a job the API masked: a relaunch needs them again. */
export function secretInputs(job: Job): string[] {
  return Object.entries(job.inputs)
    .filter(([, v]) => isMasked(v))
    .map(([k]) => k);
}

type SchemaProperty = {
  title?: string;
  description?: string;
  [SECRET_KEYWORD]?: boolean;
};

function schemaProperties(runbook?: Runbook): Record<string, SchemaProperty> {
  const inputs = runbook?.inputs as
    | { properties?: Record<string, SchemaProperty> }
    | undefined;
  return inputs?.properties ?? {};
}

/**
 * Cancel and Relaunch, each shown only to those the server would allow
 * (`orch.job.cancel`; `orch.job.relaunch` with `orch.runbook.execute`).
 */
export function JobActions(props: {
  job: Job;
  client: JobsClient;
  onCanceled(job: Job): void;
  jobPath(jobId: string): string;
}) {
  const { job, client } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const { can } = useOrchMe();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [canceling, setCanceling] = useState(false);
  const [relaunchOpen, setRelaunchOpen] = useState(false);
  const [error, setError] = useState<Error>();

  const canCancel =
    can(jobCancelPermission.name) && !isFinalJobStatus(job.status);
  const canRelaunch =
    can(jobRelaunchPermission.name) && can(runbookExecutePermission.name);
  if (!canCancel && !canRelaunch) return null;

  const cancel = async () => {
    setCanceling(true);
    setError(undefined);
    try {
      props.onCanceled(await client.cancel(job.id));
      setConfirmCancel(false);
    } catch (e) {
      setError(e as Error);
    } finally {
      setCanceling(false);
    }
  };

  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
      {canCancel && (
        <Button
          variant="outlined"
          color="error"
          onClick={() => setConfirmCancel(true)}
          disabled={job.cancelRequested}
        >
          {job.cancelRequested
            ? t('jobPage.actions.canceling')
            : t('jobPage.actions.cancel')}
        </Button>
      )}
      {canRelaunch && (
        <Button variant="contained" onClick={() => setRelaunchOpen(true)}>
          {t('jobPage.actions.relaunch')}
        </Button>
      )}
      <Dialog
        open={confirmCancel}
        onClose={() => setConfirmCancel(false)}
        aria-labelledby="orch-cancel-title"
      >
        <DialogTitle id="orch-cancel-title">
          {t('jobPage.actions.cancelTitle')}
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            {job.status === 'PENDING'
              ? t('jobPage.actions.cancelPending')
              : t('jobPage.actions.cancelRunning')}
          </DialogContentText>
          {error && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {error.message}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmCancel(false)}>
            {t('jobPage.actions.keepRunning')}
          </Button>
          <Button color="error" onClick={cancel} disabled={canceling}>
            {t('jobPage.actions.cancelJob')}
          </Button>
        </DialogActions>
      </Dialog>
      {relaunchOpen && (
        <RelaunchDialog
          job={job}
          client={client}
          onClose={() => setRelaunchOpen(false)}
          jobPath={props.jobPath}
        />
      )}
    </Box>
  );
}

function RelaunchDialog(props: {
  job: Job;
  client: JobsClient;
  onClose(): void;
  jobPath(jobId: string): string;
}) {
  const { job, client } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const secrets = secretInputs(job);
  const [values, setValues] = useState<Record<string, string>>({});
  const [runbook, setRunbook] = useState<Runbook>();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [launched, setLaunched] = useState<string>();

  const needsRunbook = secrets.length > 0;
  useEffect(() => {
    // Titles of the secret fields; the dialog works without them.
    if (needsRunbook) {
      client.getRunbook(job.runbookName).then(setRunbook, () => {});
    }
  }, [client, job.runbookName, needsRunbook]);
  const properties = schemaProperties(runbook);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitting(true);
    setError(undefined);
    setErrors({});
    try {
      const given = Object.fromEntries(
        Object.entries(values).filter(([, v]) => v !== ''),
      );
      const { jobId } = await client.relaunch(job.id, given);
      setLaunched(jobId);
    } catch (err) {
      setError(err as Error);
      setErrors(fieldErrors(err, t('jobPage.actions.invalid')));
      setSubmitting(false);
    }
  };

  if (launched) {
    return (
      <Dialog
        open
        onClose={props.onClose}
        aria-labelledby="orch-relaunch-title"
      >
        <DialogTitle id="orch-relaunch-title">
          {t('jobPage.actions.relaunched')}
        </DialogTitle>
        <DialogContent>
          <Alert severity="success">
            {t('jobPage.actions.relaunchedText', {
              runbook: job.runbookName,
              environment: job.environment,
            })}
          </Alert>
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>
            {t('jobPage.actions.stayHere')}
          </Button>
          <LinkButton
            to={props.jobPath(launched)}
            variant="contained"
            onClick={props.onClose}
          >
            {t('jobPage.actions.openNewJob')}
          </LinkButton>
        </DialogActions>
      </Dialog>
    );
  }

  return (
    <Dialog open onClose={props.onClose} aria-labelledby="orch-relaunch-title">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="orch-relaunch-title">
          {t('jobPage.actions.relaunchTitle', {
            runbook: job.runbookName,
            environment: job.environment,
          })}
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            {t('jobPage.actions.relaunchText')}
            {secrets.length > 0 && ` ${t('jobPage.actions.relaunchSecrets')}`}
          </DialogContentText>
          {secrets.map(name => (
            <TextField
              key={name}
              type="password"
              autoComplete="new-password"
              margin="normal"
              fullWidth
              required
              label={properties[name]?.title ?? name}
              value={values[name] ?? ''}
              onChange={ev =>
                setValues(v => ({ ...v, [name]: ev.target.value }))
              }
              error={Boolean(errors[name])}
              helperText={errors[name] ?? properties[name]?.description}
              inputProps={{ 'data-testid': `secret-${name}` }}
            />
          ))}
          {error && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {error.message}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>{t('jobPage.actions.close')}</Button>
          <Button
            type="submit"
            variant="contained"
            disabled={submitting || secrets.some(name => !(values[name] ?? ''))}
          >
            {t('jobPage.actions.relaunch')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
