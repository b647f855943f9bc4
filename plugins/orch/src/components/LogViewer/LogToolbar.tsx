import { type KeyboardEvent, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import LinearProgress from '@mui/material/LinearProgress';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import type { LogSearchState } from './LogSearch';

export type LogToolbarProps = {
  search: LogSearchState;
  onSearch(query: string): void;
  onNext(): void;
  onPrevious(): void;
  onClear(): void;
  live: boolean;
  following: boolean;
  /** Lines that arrived since the reader stopped following. */
  unseen: number;
  onFollow(): void;
  lastSeq: number;
  /** How the count of lines reads. @defaultValue `N events`, translated */
  countLabel?: (count: number) => string;
};

/** Search box with match navigation, and the follow / jump-to-live control. */
export function LogToolbar(props: LogToolbarProps) {
  const { search, live, following, unseen, lastSeq } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const { language } = useFormatters();
  const number = (n: number) => n.toLocaleString(language);
  const matchLabel = (s: LogSearchState): string => {
    if (!s.query) return '';
    if (s.error) return t('logViewer.searchFailed');
    if (s.matches.length === 0) {
      return s.done ? t('logViewer.noMatches') : t('logViewer.searching');
    }
    const total = `${number(s.matches.length)}${s.done ? '' : '+'}`;
    return t('logViewer.matchOf', { active: number(s.active + 1), total });
  };
  const [text, setText] = useState('');

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (text !== search.query) props.onSearch(text);
      else if (e.shiftKey) props.onPrevious();
      else props.onNext();
    } else if (e.key === 'Escape') {
      setText('');
      props.onClear();
    }
  };
  const progress =
    search.query && !search.done && search.end > 0
      ? Math.min(100, (search.scannedTo / search.end) * 100)
      : undefined;
  const label = matchLabel(search);

  return (
    <Box
      sx={{
        display: 'flex',
        flexWrap: 'wrap',
        alignItems: 'center',
        gap: 1,
        mb: 1,
      }}
    >
      <Box sx={{ position: 'relative', minWidth: 280, flex: '0 1 420px' }}>
        <TextField
          size="small"
          fullWidth
          label={t('logViewer.search')}
          value={text}
          onChange={e => setText(e.target.value)}
          onKeyDown={onKeyDown}
          inputProps={{
            'aria-describedby': 'orch-log-search-status',
            maxLength: 200,
          }}
          InputProps={{
            endAdornment: label ? (
              <InputAdornment position="end">
                <Typography
                  variant="caption"
                  id="orch-log-search-status"
                  role="status"
                  aria-live="polite"
                >
                  {label}
                </Typography>
              </InputAdornment>
            ) : undefined,
          }}
        />
        {progress !== undefined && (
          <LinearProgress
            variant="determinate"
            value={progress}
            aria-label={t('logViewer.searchProgress')}
            sx={{ position: 'absolute', left: 0, right: 0, bottom: 0 }}
          />
        )}
      </Box>
      <Tooltip title={t('logViewer.previousHint')}>
        <span>
          <IconButton
            aria-label={t('logViewer.previous')}
            size="small"
            disabled={search.matches.length === 0}
            onClick={props.onPrevious}
          >
            ↑
          </IconButton>
        </span>
      </Tooltip>
      <Tooltip title={t('logViewer.nextHint')}>
        <span>
          <IconButton
            aria-label={t('logViewer.next')}
            size="small"
            disabled={search.matches.length === 0 && search.done}
            onClick={() =>
              text !== search.query ? props.onSearch(text) : props.onNext()
            }
          >
            ↓
          </IconButton>
        </span>
      </Tooltip>
      <Box sx={{ flex: 1 }} />
      <Typography variant="body2" color="text.secondary">
        {props.countLabel
          ? props.countLabel(lastSeq)
          : t('logViewer.events', {
              count: lastSeq,
              formatted: number(lastSeq),
            })}
      </Typography>
      {live &&
        (following ? (
          <Typography
            variant="body2"
            color="text.secondary"
            role="status"
            aria-live="polite"
          >
            {t('logViewer.following')}
          </Typography>
        ) : (
          <Button size="small" variant="contained" onClick={props.onFollow}>
            {unseen > 0
              ? t('logViewer.jumpToLiveNew', {
                  count: unseen,
                  formatted: number(unseen),
                })
              : t('logViewer.jumpToLive')}
          </Button>
        ))}
      {!live && !following && (
        <Button size="small" onClick={props.onFollow}>
          {t('logViewer.jumpToEnd')}
        </Button>
      )}
    </Box>
  );
}
