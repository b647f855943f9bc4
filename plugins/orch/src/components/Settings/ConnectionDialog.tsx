import { useMemo, useRef, useState } from 'react';
import {
  alertApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  CONNECTION_TYPES,
  type Connection,
  type ConnectionType,
} from '@internal/backstage-plugin-orch-common';
import Form from '@rjsf/mui';
import type { ErrorSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { orchApiRef } from '../../api/OrchClient';
import { ORCH_ENVIRONMENTS } from '../../hooks/useOrchEnvironment';
import { orchTranslationRef } from '../../translations/ref';
import { errorMessage, fieldErrors } from './apiErrors';
import {
  connectionFormSchema,
  initialValues,
  parseKeyValues,
  valuesToSend,
} from './connectionForm';

type Meta = { name: string; environment: string; description: string };

/**
 * Creates or edits a connection. The values form is generated from the
 * type's JSON Schema; errors the server finds are shown on their fields.
 */
export function ConnectionDialog(props: {
  connection?: Connection;
  defaultEnvironment?: string;
  onClose: () => void;
  onSaved: (connection: Connection) => void;
}) {
  const { connection } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const alertApi = useApi(alertApiRef);
  const [type, setType] = useState<ConnectionType>(connection?.type ?? 'ssh');
  const [meta, setMeta] = useState<Meta>({
    name: connection?.name ?? '',
    environment: connection?.environment ?? props.defaultEnvironment ?? 'stage',
    description: connection?.description ?? '',
  });
  const [formData, setFormData] = useState<Record<string, unknown>>(() =>
    initialValues(connection),
  );
  const [genericText, setGenericText] = useState('');
  const [metaErrors, setMetaErrors] = useState<
    Partial<Record<keyof Meta, string>>
  >({});
  const [extraErrors, setExtraErrors] = useState<ErrorSchema>();
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const formRef = useRef<any>(null);

  const { schema, uiSchema } = useMemo(
    () =>
      connectionFormSchema(type, connection, {
        keep: t('settings.connections.secretKeep'),
        fresh: t('settings.connections.secretNew'),
        set: t('settings.connections.secretSet'),
        setLast4: last4 => t('settings.connections.secretSetLast4', { last4 }),
      }),
    [type, connection, t],
  );

  const save = async (values: Record<string, unknown>) => {
    const missing: Partial<Record<keyof Meta, string>> = {};
    if (!meta.name.trim()) missing.name = t('settings.connections.name');
    setMetaErrors(missing);
    if (Object.keys(missing).length) return;
    setSaving(true);
    setError(undefined);
    setExtraErrors(undefined);
    try {
      const body = {
        name: meta.name.trim(),
        environment: meta.environment,
        description: meta.description.trim() || (connection ? null : undefined),
        values,
      };
      const saved = connection
        ? await orchApi.request<Connection>(
            'PATCH',
            `/v1/connections/${encodeURIComponent(connection.id)}`,
            body,
          )
        : await orchApi.request<Connection>('POST', '/v1/connections', {
            ...body,
            type,
          });
      alertApi.post({
        message: connection
          ? t('settings.connections.saved', { name: saved.name })
          : t('settings.connections.created', { name: saved.name }),
        severity: 'success',
        display: 'transient',
      });
      props.onSaved(saved);
    } catch (e) {
      const fields = fieldErrors(e);
      const onValues: ErrorSchema = {};
      const onMeta: Partial<Record<keyof Meta, string>> = {};
      const rest: string[] = [];
      for (const { field, message } of fields) {
        const [head, ...path] = field.split('.');
        if (head === 'values' && path.length > 0) {
          let node: any = onValues;
          for (const part of path) node = node[part] = node[part] ?? {};
          node.__errors = [...(node.__errors ?? []), message];
        } else if (
          head === 'name' ||
          head === 'environment' ||
          head === 'description'
        ) {
          onMeta[head] = message;
        } else {
          rest.push(`${field} ${message}`);
        }
      }
      setExtraErrors(Object.keys(onValues).length ? onValues : undefined);
      setMetaErrors(onMeta);
      setError(
        fields.length === 0 ? errorMessage(e) : rest.join('; ') || undefined,
      );
    } finally {
      setSaving(false);
    }
  };

  const submit = () => {
    if (type === 'generic') {
      const { values, invalid } = parseKeyValues(genericText);
      if (invalid.length) {
        setError(
          `${t('settings.connections.genericHelp')} (${invalid.join(', ')})`,
        );
        return;
      }
      const empty = Object.keys(values).length === 0;
      if (empty && !connection) {
        setError(t('settings.connections.genericHelp'));
        return;
      }
      save(empty ? {} : { values });
      return;
    }
    // RJSF validates against the schema first, then calls onSubmit.
    formRef.current?.submit();
  };

  const title = connection
    ? t('settings.connections.editTitle', { name: connection.name })
    : t('settings.connections.createTitle');

  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="orch-connection-dialog-title"
    >
      <DialogTitle id="orch-connection-dialog-title">{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} mt={1}>
          <TextField
            select
            id="orch-connection-type"
            label={t('settings.connections.type')}
            value={type}
            disabled={!!connection}
            onChange={e => {
              setType(e.target.value as ConnectionType);
              setFormData({});
              setExtraErrors(undefined);
            }}
          >
            {CONNECTION_TYPES.map(value => (
              <MenuItem key={value} value={value}>
                {value}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="orch-connection-name"
            label={t('settings.connections.name')}
            required
            value={meta.name}
            onChange={e => setMeta(m => ({ ...m, name: e.target.value }))}
            error={!!metaErrors.name}
            helperText={metaErrors.name}
          />
          <TextField
            select
            id="orch-connection-environment"
            label={t('settings.connections.environment')}
            value={meta.environment}
            onChange={e =>
              setMeta(m => ({ ...m, environment: e.target.value }))
            }
            error={!!metaErrors.environment}
            helperText={metaErrors.environment}
          >
            {ORCH_ENVIRONMENTS.map(env => (
              <MenuItem key={env} value={env}>
                {env}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="orch-connection-description"
            label={t('settings.connections.description')}
            value={meta.description}
            onChange={e =>
              setMeta(m => ({ ...m, description: e.target.value }))
            }
            error={!!metaErrors.description}
            helperText={metaErrors.description}
          />
          <Typography component="h3" variant="subtitle1">
            {t('settings.connections.values')}
          </Typography>
          {type === 'generic' ? (
            <TextField
              id="orch-connection-generic"
              label={t('settings.connections.values')}
              multiline
              minRows={4}
              value={genericText}
              autoComplete="off"
              inputProps={{ spellCheck: false }}
              onChange={e => setGenericText(e.target.value)}
              helperText={
                connection
                  ? t('settings.connections.genericKeep', {
                      keys: Object.keys(connection.secrets).join(', '),
                    })
                  : t('settings.connections.genericHelp')
              }
            />
          ) : (
            <Form
              key={type}
              ref={formRef}
              schema={schema}
              uiSchema={uiSchema}
              formData={formData}
              validator={validator}
              extraErrors={extraErrors}
              showErrorList={false}
              noHtml5Validate
              onChange={e => setFormData(e.formData ?? {})}
              onSubmit={e =>
                save(valuesToSend(type, e.formData ?? {}, connection))
              }
            >
              {/* The dialog's own Save button submits. */}
              <></>
            </Form>
          )}
          {error && <Alert severity="error">{error}</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
        <Button variant="contained" onClick={submit} disabled={saving}>
          {connection ? t('common.save') : t('common.create')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
