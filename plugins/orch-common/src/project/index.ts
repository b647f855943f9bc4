export * from './types';
export * from './orchProjectManifestSchema';
export * from './expressions';
export * from './parseOrchManifest';
