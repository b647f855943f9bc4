import { createBackend } from '@backstage/backend-defaults';
import { databaseServiceFactory } from './database';
import {
  principalRecordingHttpAuthServiceFactory,
  requestLoggingRootHttpRouterServiceFactory,
} from './requestLogging';

const backend = createBackend();

// Backstage's database service with SQLite files in WAL mode.
backend.add(databaseServiceFactory);
// Request log lines: the polls between plugins at debug, the rest at info.
backend.add(requestLoggingRootHttpRouterServiceFactory);
backend.add(principalRecordingHttpAuthServiceFactory);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@internal/backstage-plugin-auth-backend-module-orch-provider'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@internal/backstage-plugin-catalog-backend-module-orch'));
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@internal/backstage-plugin-scaffolder-backend-module-orch'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@internal/backstage-plugin-permission-backend-module-orch-policy'),
);
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@internal/backstage-plugin-orch-backend'));
backend.add(import('@internal/backstage-plugin-portainer-backend'));
backend.start();
