import type { ErrorTransformer } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';

/**
 * The form's validator: Ajv's draft 2020-12 class with every ajv-formats
 * format, as the server validates inputs (plugins/orch-node RunbookCatalog),
 * so a form the browser accepts is one the server accepts. No type coercion
 * either side.
 * @public
 */
export const runbookInputsValidator = customizeValidator({
  // The 2020 class is a subclass of the default one; rjsf types the option
  // with the latter.
  AjvClass: Ajv2020 as unknown as NonNullable<
    Parameters<typeof customizeValidator>[0]
  >['AjvClass'],
  ajvOptionsOverrides: { coerceTypes: false, strictRequired: false },
});

/**
 * Words a `required` (or `dependentRequired`) error the way the server does
 * (`is required`); rjsf already puts it on the missing field.
 * @public
 */
export const transformRunbookErrors: ErrorTransformer = errors =>
  errors.map(error =>
    error.name === 'required' || error.name === 'dependentRequired'
      ? {
          ...error,
          message: 'is required',
          stack: `${String(error.property ?? '').replace(
            /^\./,
            '',
          )} is required`,
        }
      : error,
  );
