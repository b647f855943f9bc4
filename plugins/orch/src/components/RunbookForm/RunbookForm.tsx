import { useMemo, useRef, useState } from 'react';
import {
  appLanguageApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  connectionReadPermission,
  type Runbook,
} from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormHelperText from '@mui/material/FormHelperText';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import Form from '@rjsf/mui';
import type { IChangeEvent } from '@rjsf/core';
import useObservable from 'react-use/esm/useObservable';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import {
  apiErrorMessage,
  apiFieldErrors,
  errorStatus,
  useRunbooksClient,
  type ExecuteRunbookRequest,
} from '../../api/runbooksApi';
import { useOrchEnvironment } from '../../hooks/useOrchEnvironment';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { BaseInputTemplate } from './BaseInputTemplate';
import { ConnectionPicker } from './ConnectionPicker';
import { executeFieldErrors, formSchemaFor, uiSchemaFor } from './schemaForm';
import {
  rjsfStringTranslator,
  runbookErrorTransformer,
  runbookInputsValidatorFor,
} from './validator';

type Inputs = Record<string, unknown>;

const TEMPLATES = { BaseInputTemplate };

/** rjsf's words Orch translates (`runbookForm.rjsf.*`). */
const RJSF_STRINGS = [
  'ArrayItemTitle',
  'YesLabel',
  'NoLabel',
  'CloseLabel',
  'ErrorsLabel',
  'NewStringDefault',
  'AddButton',
  'AddItemButton',
  'CopyButton',
  'MoveDownButton',
  'MoveUpButton',
  'RemoveButton',
  'NowLabel',
  'ClearLabel',
  'AriaDateLabel',
  'PreviewLabel',
  'DecrementAriaLabel',
  'IncrementAriaLabel',
  'OptionPrefix',
  'TitleOptionPrefix',
  'KeyLabel',
] as const;

/** The app's language, kept current. */
function useAppLanguage(): string {
  const languageApi = useApi(appLanguageApiRef);
  return useObservable(languageApi.language$(), languageApi.getLanguage())
    .language;
}

function hasSecrets(schema: unknown): boolean {
  return JSON.stringify(schema).includes('"x-orch-secret":true');
}

/**
 * The execute form of a runbook: the environment (only those the runbook
 * allows), a connection per type it declares, and its inputs as a form
 * generated from the JSON Schema and validated by the same Ajv rules as the
 * server. Errors the server finds land on their fields.
 */
export function RunbookForm(props: {
  runbook: Runbook;
  /** Called with the new job's id once the job is queued. */
  onQueued: (jobId: string, request: ExecuteRunbookRequest) => void;
}) {
  const { runbook, onQueued } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const language = useAppLanguage();
  // Client-side errors in the app's language (ajv-i18n), rjsf's words too.
  const validator = runbookInputsValidatorFor(language);
  const transformErrors = useMemo(
    () => runbookErrorTransformer(t('runbookForm.required')),
    [t],
  );
  const translateString = useMemo(
    () =>
      rjsfStringTranslator(
        Object.fromEntries(
          RJSF_STRINGS.map(key => [key, t(`runbookForm.rjsf.${key}`)]),
        ),
      ),
    [t],
  );
  const client = useRunbooksClient();
  const me = useOrchMe();
  const global = useOrchEnvironment();

  const [environment, setEnvironment] = useState<string>(() => {
    if (
      global.environment &&
      runbook.environments.includes(global.environment)
    ) {
      return global.environment;
    }
    return runbook.environments.length === 1 ? runbook.environments[0] : '';
  });
  const [connections, setConnections] = useState<Record<string, string>>({});
  const [formData, setFormData] = useState<Inputs>({});
  const [environmentError, setEnvironmentError] = useState<string>();
  const [connectionsError, setConnectionsError] = useState<string>();
  const [extraErrors, setExtraErrors] = useState<ErrorSchema>();
  const [failure, setFailure] = useState<{
    severity: 'error' | 'warning';
    text: string;
  }>();
  const [connectionsForbidden, setConnectionsForbidden] = useState(false);
  const [confirming, setConfirming] = useState<Inputs>();
  const [submitting, setSubmitting] = useState(false);
  const environmentRef = useRef<HTMLInputElement>(null);

  const schema: RJSFSchema = useMemo(
    () => formSchemaFor(runbook.inputs),
    [runbook.inputs],
  );
  const uiSchema = useMemo(
    () => ({
      ...uiSchemaFor(runbook.inputs),
      'ui:submitButtonOptions': { norender: true },
    }),
    [runbook.inputs],
  );
  const hasInputs =
    Object.keys((runbook.inputs.properties as object | undefined) ?? {})
      .length > 0;
  const mayReadConnections =
    !connectionsForbidden &&
    (me.loading || me.can(connectionReadPermission.name));

  const checkEnvironment = (): boolean => {
    if (environment) return true;
    setEnvironmentError(t('runbookForm.chooseEnvironment'));
    return false;
  };

  const send = async (inputs: Inputs) => {
    const request: ExecuteRunbookRequest = {
      inputs,
      environment,
      connections: Object.values(connections).filter(Boolean),
    };
    setSubmitting(true);
    setFailure(undefined);
    setExtraErrors(undefined);
    setEnvironmentError(undefined);
    setConnectionsError(undefined);
    try {
      const { jobId } = await client.execute(runbook.name, request);
      onQueued(jobId, request);
    } catch (error) {
      setSubmitting(false);
      const status = errorStatus(error);
      const message = apiErrorMessage(error);
      if (status === 400) {
        const sorted = executeFieldErrors(apiFieldErrors(error));
        setExtraErrors(sorted.inputs);
        setEnvironmentError(sorted.environment);
        setConnectionsError(sorted.connections);
        setFailure({
          severity: 'error',
          text: sorted.general.length
            ? sorted.general.join('; ')
            : t('runbookForm.fixErrors'),
        });
      } else if (status === 403) {
        setFailure({
          severity: 'warning',
          text: t('runbookForm.forbidden', { message }),
        });
      } else if (status === 409) {
        setFailure({
          severity: 'warning',
          text: t('runbookForm.conflict', { message }),
        });
      } else {
        setFailure({
          severity: 'error',
          text: t('runbookForm.failed', { message }),
        });
      }
    }
  };

  const onSubmit = ({ formData: inputs }: IChangeEvent<Inputs>) => {
    if (!checkEnvironment()) {
      environmentRef.current?.focus();
      return;
    }
    if (runbook.risk === 'high' && environment === 'prod') {
      setConfirming(inputs ?? {});
      return;
    }
    send(inputs ?? {});
  };

  return (
    <Stack spacing={3} sx={{ maxWidth: 800 }}>
      <Box component="section" aria-labelledby="orch-execute-target">
        <Typography id="orch-execute-target" component="h2" variant="h6" mb={2}>
          {t('runbookForm.environment')}
        </Typography>
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
          <TextField
            id="orch-execute-environment"
            select
            required
            size="small"
            label={t('runbookForm.environment')}
            value={environment}
            inputRef={environmentRef}
            onChange={e => {
              setEnvironment(e.target.value);
              setConnections({});
              setEnvironmentError(undefined);
              setConnectionsError(undefined);
            }}
            error={!!environmentError}
            helperText={
              environmentError ??
              t('runbookForm.environmentHelp', {
                environments: runbook.environments.join(', '),
              })
            }
            sx={{ minWidth: 220 }}
          >
            {runbook.environments.map(env => (
              <MenuItem key={env} value={env}>
                {env}
              </MenuItem>
            ))}
          </TextField>
        </Stack>
      </Box>

      {runbook.connections.length > 0 && (
        <Box
          component="section"
          aria-labelledby="orch-execute-connections"
          aria-describedby={
            connectionsError ? 'orch-execute-connections-error' : undefined
          }
        >
          <Typography
            id="orch-execute-connections"
            component="h2"
            variant="h6"
            mb={2}
          >
            {t('runbookForm.connections')}
          </Typography>
          {mayReadConnections ? (
            <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
              {runbook.connections.map(type => (
                <ConnectionPicker
                  key={type}
                  type={type}
                  environment={environment || undefined}
                  value={connections[type]}
                  onChange={id =>
                    setConnections(current => {
                      const next = { ...current };
                      if (id) next[type] = id;
                      else delete next[type];
                      return next;
                    })
                  }
                  onForbidden={() => setConnectionsForbidden(true)}
                />
              ))}
            </Stack>
          ) : (
            <Alert severity="info">
              {t('runbookForm.connectionsForbidden')}
            </Alert>
          )}
          {connectionsError && (
            <FormHelperText error id="orch-execute-connections-error">
              {connectionsError}
            </FormHelperText>
          )}
        </Box>
      )}

      <Box component="section" aria-labelledby="orch-execute-inputs">
        <Typography id="orch-execute-inputs" component="h2" variant="h6" mb={1}>
          {t('runbookForm.inputs')}
        </Typography>
        {!hasInputs && (
          <Typography color="text.secondary" mb={2}>
            {t('runbookForm.noInputs')}
          </Typography>
        )}
        {hasSecrets(runbook.inputs) && (
          <Typography variant="body2" color="text.secondary" mb={2}>
            {t('runbookForm.secretNote')}
          </Typography>
        )}
        <Form
          schema={schema}
          uiSchema={uiSchema}
          formData={formData}
          validator={validator}
          templates={TEMPLATES}
          transformErrors={transformErrors}
          translateString={translateString}
          extraErrors={extraErrors}
          onChange={e => setFormData(e.formData ?? {})}
          onSubmit={onSubmit}
          onError={() => checkEnvironment()}
          showErrorList={false}
          noHtml5Validate
          focusOnFirstError
          idPrefix="orch-input"
          disabled={submitting}
        >
          <Stack spacing={2} mt={2}>
            {failure && (
              <Alert severity={failure.severity} role="alert">
                {failure.text}
              </Alert>
            )}
            <Box>
              <Button
                type="submit"
                variant="contained"
                disabled={submitting}
                startIcon={
                  submitting ? (
                    <CircularProgress size={16} color="inherit" />
                  ) : (
                    <PlayArrowIcon />
                  )
                }
              >
                {submitting
                  ? t('runbookForm.submitting')
                  : t('runbookForm.submit')}
              </Button>
            </Box>
          </Stack>
        </Form>
      </Box>

      <Dialog
        open={confirming !== undefined}
        onClose={() => setConfirming(undefined)}
        aria-labelledby="orch-execute-confirm-title"
        aria-describedby="orch-execute-confirm-text"
      >
        <DialogTitle id="orch-execute-confirm-title">
          {t('runbookForm.confirmTitle', { title: runbook.title, environment })}
        </DialogTitle>
        <DialogContent>
          <DialogContentText id="orch-execute-confirm-text">
            {t('runbookForm.confirmText', { environment })}
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(undefined)}>
            {t('common.cancel')}
          </Button>
          <Button
            color="error"
            variant="contained"
            onClick={() => {
              const inputs = confirming ?? {};
              setConfirming(undefined);
              send(inputs);
            }}
          >
            {t('runbookForm.confirm')}
          </Button>
        </DialogActions>
      </Dialog>
    </Stack>
  );
}
