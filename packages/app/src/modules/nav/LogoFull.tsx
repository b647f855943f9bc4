import { OrchLogo } from '@internal/backstage-plugin-orch';

/** Orch's mark and name, for the open sidebar. */
export const LogoFull = () => (
  <span style={{ display: 'inline-flex', alignItems: 'center', gap: 10 }}>
    <OrchLogo size={32} />
    <span
      style={{
        color: '#ffffff',
        fontSize: 22,
        fontWeight: 600,
        letterSpacing: 0.5,
      }}
    >
      Orch
    </span>
  </span>
);
