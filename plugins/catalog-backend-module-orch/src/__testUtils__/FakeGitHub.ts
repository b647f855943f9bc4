// Shared with the backend's install tests.
export {
  FakeGitHub,
  type FakeGitHubRequest,
  type FakeRepository,
} from '@internal/backstage-plugin-orch-node/testUtils';
