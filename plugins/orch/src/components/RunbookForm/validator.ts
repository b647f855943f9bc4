import {
  type ErrorTransformer,
  type ValidatorType,
  replaceStringParameters,
  TranslatableString,
} from '@rjsf/utils';
import { customizeValidator, type Localizer } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';
import localizePtBR from 'ajv-i18n/localize/pt-BR';

/** Ajv's error messages per app language; English is Ajv's own. */
const LOCALIZERS: Record<string, Localizer> = {
  'pt-BR': localizePtBR as Localizer,
};

function makeValidator(localizer?: Localizer): ValidatorType {
  return customizeValidator(
    {
      // The 2020 class is a subclass of the default one; rjsf types the
      // option with the latter.
      AjvClass: Ajv2020 as unknown as NonNullable<
        Parameters<typeof customizeValidator>[0]
      >['AjvClass'],
      ajvOptionsOverrides: { coerceTypes: false, strictRequired: false },
    },
    localizer,
  );
}

/**
 * The form's validator: Ajv's draft 2020-12 class with every ajv-formats
 * format, as the server validates inputs (plugins/orch-node RunbookCatalog),
 * so a form the browser accepts is one the server accepts. No type coercion
 * either side. Its messages are English; see `runbookInputsValidatorFor`.
 * @public
 */
export const runbookInputsValidator = makeValidator();

const validators = new Map<string, ValidatorType>([
  ['en', runbookInputsValidator],
]);

/** The Ajv localizer for an app language (`pt-BR`, `pt`), if any. */
function localizerFor(language: string): Localizer | undefined {
  if (LOCALIZERS[language]) return LOCALIZERS[language];
  return language.split('-')[0] === 'pt' ? LOCALIZERS['pt-BR'] : undefined;
}

/**
 * `runbookInputsValidator` whose messages speak the app's language
 * (ajv-i18n), English when ajv-i18n has none. One validator per language,
 * built once.
 * @public
 */
export function runbookInputsValidatorFor(language: string): ValidatorType {
  let validator = validators.get(language);
  if (!validator) {
    const localizer = localizerFor(language);
    validator = localizer ? makeValidator(localizer) : runbookInputsValidator;
    validators.set(language, validator);
  }
  return validator;
}

/**
 * Words a `required` (or `dependentRequired`) error the way the server does
 * (`is required`, or `required` in another language); rjsf already puts it
 * on the missing field.
 * @public
 */
export function runbookErrorTransformer(required: string): ErrorTransformer {
  return errors =>
    errors.map(error =>
      error.name === 'required' || error.name === 'dependentRequired'
        ? {
            ...error,
            message: required,
            stack: `${String(error.property ?? '').replace(
              /^\./,
              '',
            )} ${required}`,
          }
        : error,
    );
}

/**
 * `runbookErrorTransformer` in English.
 * @public
 */
export const transformRunbookErrors: ErrorTransformer =
  runbookErrorTransformer('is required');

/** A `TranslatableString`'s member name by its value (its English). */
const NAMES = new Map<string, string>(
  Object.entries(TranslatableString).map(([name, english]) => [english, name]),
);

function keyName(value: string): string {
  return NAMES.get(value) ?? value;
}

/**
 * rjsf's own words (`TranslatableString`) from a table of translated
 * strings, `%1`… its parameters; rjsf's English for those not in it.
 * @public
 */
export function rjsfStringTranslator(
  strings: Partial<Record<string, string>>,
): (key: TranslatableString, params?: string[]) => string {
  return (key, params) => {
    const text = strings[keyName(key)] ?? key;
    return replaceStringParameters(text, params);
  };
}
