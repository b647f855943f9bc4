export { RunbookExecutePage } from './RunbookExecutePage';
export { RunbookForm } from './RunbookForm';
export { uiSchemaFor, formSchemaFor, executeFieldErrors } from './schemaForm';
export { runbookInputsValidator, transformRunbookErrors } from './validator';
