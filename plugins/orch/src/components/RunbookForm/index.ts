export { RunbookExecutePage } from './RunbookExecutePage';
export { RunbookForm } from './RunbookForm';
export { uiSchemaFor, formSchemaFor, executeFieldErrors } from './schemaForm';
export {
  rjsfStringTranslator,
  runbookErrorTransformer,
  runbookInputsValidator,
  runbookInputsValidatorFor,
  transformRunbookErrors,
} from './validator';
