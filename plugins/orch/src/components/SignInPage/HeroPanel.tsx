import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { orchTranslationRef } from '../../translations/ref';
import heroImage from './hero/storm.jpg';
import { OrchLogo } from './OrchLogo';

/**
 * The left 60 % of the sign-in page: a photograph under a dark, even overlay
 * (the text stays readable at WCAG AA on any part of it) and Orch's name.
 * On narrow screens it is not shown at all: the form comes first.
 */
export function HeroPanel() {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Box
      component="aside"
      aria-label={t('signIn.title')}
      data-testid="orch-sign-in-hero"
      sx={{
        display: { xs: 'none', md: 'flex' },
        position: 'relative',
        flexDirection: 'column',
        justifyContent: 'space-between',
        minHeight: '100vh',
        p: { md: 6, lg: 8 },
        color: '#f3f5f8',
        backgroundColor: '#0b0f16',
        backgroundImage: `linear-gradient(180deg, rgba(8, 12, 20, 0.35) 0%, rgba(8, 12, 20, 0.55) 50%, rgba(8, 12, 20, 0.9) 100%), url(${heroImage})`,
        backgroundSize: 'cover',
        backgroundPosition: 'center 35%',
      }}
    >
      <Stack direction="row" spacing={1.5} alignItems="center">
        <OrchLogo size={36} />
        <Typography
          component="p"
          variant="h5"
          sx={{ fontWeight: 600, letterSpacing: 0.5 }}
        >
          Orch
        </Typography>
      </Stack>
      <Box sx={{ maxWidth: 560 }}>
        <Typography
          component="p"
          variant="h4"
          sx={{ fontWeight: 500, lineHeight: 1.25, mb: 2 }}
        >
          {t('signIn.heroTitle')}
        </Typography>
        <Typography component="p" sx={{ color: '#c9d1dc', mb: 4 }}>
          {t('signIn.heroText')}
        </Typography>
        <Typography component="p" variant="caption" sx={{ color: '#aeb8c5' }}>
          Photo: “Storm” © Sergey Nazarov, GPL-2.0-or-later
        </Typography>
      </Box>
    </Box>
  );
}
