/** Orch's mark: three stages feeding one line, the shape of a runbook run. */
export function OrchLogo(props: { size?: number }) {
  const size = props.size ?? 40;
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 40 40"
      aria-hidden="true"
      focusable="false"
    >
      <rect width="40" height="40" rx="9" fill="#1f6feb" />
      <circle cx="11" cy="12" r="3.5" fill="#ffffff" />
      <circle cx="11" cy="28" r="3.5" fill="#ffffff" />
      <circle cx="29" cy="20" r="4.5" fill="#7df3e1" />
      <path
        d="M14 13.5 L25 19 M14 26.5 L25 21"
        stroke="#ffffff"
        strokeWidth="2.5"
        strokeLinecap="round"
      />
    </svg>
  );
}
