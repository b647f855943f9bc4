export * from './RunbookCatalog';
export * from './extravars';
