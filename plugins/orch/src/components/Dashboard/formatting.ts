import { appLanguageApiRef, useApi } from '@backstage/frontend-plugin-api';
import { useMemo } from 'react';
import useObservable from 'react-use/esm/useObservable';

/** Dates, relative times and durations in the app's language. */
export function useFormatters() {
  const languageApi = useApi(appLanguageApiRef);
  const { language } = useObservable(
    languageApi.language$(),
    languageApi.getLanguage(),
  );
  return useMemo(() => {
    const dateTime = new Intl.DateTimeFormat(language, {
      dateStyle: 'short',
      timeStyle: 'medium',
    });
    const relative = new Intl.RelativeTimeFormat(language, {
      numeric: 'auto',
    });
    return {
      language,
      dateTime: (iso?: string) => (iso ? dateTime.format(new Date(iso)) : ''),
      /** "3 minutes ago", "yesterday", … */
      ago: (iso?: string, now = Date.now()) => {
        if (!iso) {
          return '';
        }
        const seconds = Math.round((Date.parse(iso) - now) / 1000);
        const abs = Math.abs(seconds);
        if (abs < 60) return relative.format(seconds, 'second');
        if (abs < 3600)
          return relative.format(Math.round(seconds / 60), 'minute');
        if (abs < 86400)
          return relative.format(Math.round(seconds / 3600), 'hour');
        return relative.format(Math.round(seconds / 86400), 'day');
      },
      /** "1 h 02 min", "4 min 05 s", "12 s". */
      duration: (fromIso?: string, toIso?: string, now = Date.now()) => {
        if (!fromIso) {
          return '';
        }
        const end = toIso ? Date.parse(toIso) : now;
        const total = Math.max(
          0,
          Math.round((end - Date.parse(fromIso)) / 1000),
        );
        const h = Math.floor(total / 3600);
        const m = Math.floor((total % 3600) / 60);
        const s = total % 60;
        const pad = (n: number) => String(n).padStart(2, '0');
        if (h > 0) return `${h} h ${pad(m)} min`;
        if (m > 0) return `${m} min ${pad(s)} s`;
        return `${s} s`;
      },
    };
  }, [language]);
}
