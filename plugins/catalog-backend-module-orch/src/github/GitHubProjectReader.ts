// The GitHub reading lives in orch-node, shared with the orch plugin's
// installs from GitHub; the catalog ingest uses it from there.
export {
  MANIFEST_FILE,
  GitHubProjectReader,
  GitHubRateLimitedError,
  describeGitHubError,
  globToRegExp,
  sortTags,
  splitRepository,
  type GitHubAllowRule,
  type GitHubProjectResult,
} from '@internal/backstage-plugin-orch-node';
