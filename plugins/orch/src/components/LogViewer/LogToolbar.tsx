import { type KeyboardEvent, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import LinearProgress from '@mui/material/LinearProgress';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
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
  /** How the count of lines reads. @defaultValue `N events` */
  countLabel?: (count: number) => string;
};

function matchLabel(s: LogSearchState): string {
  if (!s.query) return '';
  if (s.error) return 'Search failed';
  if (s.matches.length === 0) return s.done ? 'No matches' : 'Searching…';
  const total = `${s.matches.length.toLocaleString()}${s.done ? '' : '+'}`;
  return `${(s.active + 1).toLocaleString()} of ${total}`;
}

/** Search box with match navigation, and the follow / jump-to-live control. */
export function LogToolbar(props: LogToolbarProps) {
  const { search, live, following, unseen, lastSeq } = props;
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
          label="Search in log"
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
            aria-label="Search progress"
            sx={{ position: 'absolute', left: 0, right: 0, bottom: 0 }}
          />
        )}
      </Box>
      <Tooltip title="Previous match (Shift+Enter)">
        <span>
          <IconButton
            aria-label="Previous match"
            size="small"
            disabled={search.matches.length === 0}
            onClick={props.onPrevious}
          >
            ↑
          </IconButton>
        </span>
      </Tooltip>
      <Tooltip title="Next match (Enter)">
        <span>
          <IconButton
            aria-label="Next match"
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
          : `${lastSeq.toLocaleString()} events`}
      </Typography>
      {live &&
        (following ? (
          <Typography
            variant="body2"
            color="text.secondary"
            role="status"
            aria-live="polite"
          >
            Following live output
          </Typography>
        ) : (
          <Button size="small" variant="contained" onClick={props.onFollow}>
            Jump to live{unseen > 0 ? ` (${unseen.toLocaleString()} new)` : ''}
          </Button>
        ))}
      {!live && !following && (
        <Button size="small" onClick={props.onFollow}>
          Jump to end
        </Button>
      )}
    </Box>
  );
}
