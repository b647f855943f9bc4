import { OrchLogo } from '@internal/backstage-plugin-orch';

/** Orch's mark, for the closed sidebar. */
export const LogoIcon = () => <OrchLogo size={28} />;
