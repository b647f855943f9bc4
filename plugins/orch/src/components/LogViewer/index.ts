export { LogViewer, LINE_HEIGHT } from './LogViewer';
export type { LogViewerProps } from './LogViewer';
export type { LogSource, LogViewerHandle } from './types';
