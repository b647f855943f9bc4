import {
  appLanguageApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import useObservable from 'react-use/esm/useObservable';
import { orchTranslationRef } from '../../translations/ref';

/** Each language named in itself, so anyone can find their own. */
const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  'pt-BR': 'Português (Brasil)',
};

/**
 * The app's language (Backstage's AppLanguageApi, remembered by the app).
 * Hidden when the app offers a single language.
 */
export function LanguageSelect(props: { size?: 'small' | 'medium' }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const languageApi = useApi(appLanguageApiRef);
  const { language } = useObservable(
    languageApi.language$(),
    languageApi.getLanguage(),
  );
  const { languages } = languageApi.getAvailableLanguages();
  if (languages.length < 2) {
    return null;
  }
  return (
    <TextField
      select
      size={props.size ?? 'small'}
      id="orch-language"
      label={t('signIn.language')}
      value={language}
      onChange={e => languageApi.setLanguage(e.target.value)}
      sx={{ minWidth: 180 }}
    >
      {languages.map(lang => (
        <MenuItem key={lang} value={lang} lang={lang}>
          {LANGUAGE_NAMES[lang] ?? lang}
        </MenuItem>
      ))}
    </TextField>
  );
}
