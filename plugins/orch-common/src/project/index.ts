export * from './types';
export * from './orchProjectManifestSchema';
export * from './expressionParser';
export * from './expressionEvaluator';
export * from './parseOrchManifest';
