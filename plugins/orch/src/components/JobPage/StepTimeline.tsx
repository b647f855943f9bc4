import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Collapse from '@mui/material/Collapse';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Typography from '@mui/material/Typography';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { JobStep } from '@internal/backstage-plugin-orch-common';
import { orchTranslationRef } from '../../translations/ref';
import { StepStatusChip } from './JobStatusChip';
import { formatDuration } from './format';

type Play = { name: string; steps: JobStep[] };

function byPlay(steps: JobStep[]): Play[] {
  const plays: Play[] = [];
  for (const step of steps) {
    const last = plays[plays.length - 1];
    if (last && last.name === step.play) last.steps.push(step);
    else plays.push({ name: step.play, steps: [step] });
  }
  return plays;
}

function stepDuration(step: JobStep, now: number): string {
  const start = Date.parse(step.startedAt);
  const end = step.finishedAt ? Date.parse(step.finishedAt) : now;
  return formatDuration(end - start);
}

function Disclosure(props: {
  expanded: boolean;
  onToggle(): void;
  controls: string;
  children: React.ReactNode;
}) {
  return (
    <Button
      onClick={props.onToggle}
      aria-expanded={props.expanded}
      aria-controls={props.controls}
      size="small"
      color="inherit"
      sx={{
        textTransform: 'none',
        justifyContent: 'flex-start',
        flex: 1,
        minWidth: 0,
        textAlign: 'left',
      }}
    >
      <Box
        component="span"
        aria-hidden
        sx={{ width: '1.5em', flex: '0 0 auto' }}
      >
        {props.expanded ? '▾' : '▸'}
      </Box>
      {props.children}
    </Button>
  );
}

function StepRow(props: {
  step: JobStep;
  now: number;
  onShowInLog(seq: number): void;
}) {
  const { step, now } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const [open, setOpen] = useState(step.status === 'failed');
  const hosts = Object.entries(step.hosts);
  const id = `orch-step-${step.index}`;
  return (
    <ListItem
      disableGutters
      divider
      sx={{ display: 'block', py: 0.5 }}
      data-testid="job-step"
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Disclosure
          expanded={open}
          onToggle={() => setOpen(o => !o)}
          controls={id}
        >
          <Box component="span" sx={{ overflowWrap: 'anywhere' }}>
            {step.task}
          </Box>
        </Disclosure>
        <StepStatusChip status={step.status} />
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ minWidth: '5em', textAlign: 'right' }}
        >
          {stepDuration(step, now)}
        </Typography>
        <Button
          size="small"
          onClick={() => props.onShowInLog(step.firstSeq)}
          aria-label={t('jobPage.steps.showInLog', { task: step.task })}
        >
          {t('jobPage.steps.log')}
        </Button>
      </Box>
      <Collapse in={open} id={id} unmountOnExit>
        {hosts.length === 0 ? (
          <Typography
            variant="body2"
            color="text.secondary"
            sx={{ pl: 4, py: 0.5 }}
          >
            {t('jobPage.steps.noHostResult')}
          </Typography>
        ) : (
          <Box
            component="ul"
            sx={{ listStyle: 'none', pl: 4, my: 0.5 }}
            aria-label={t('jobPage.steps.hosts', { task: step.task })}
          >
            {hosts.map(([host, result]) => (
              <Box
                component="li"
                key={host}
                sx={{
                  display: 'flex',
                  gap: 1,
                  alignItems: 'baseline',
                  py: 0.25,
                }}
              >
                <StepStatusChip status={result.status} />
                <Typography
                  variant="body2"
                  component="span"
                  sx={{ fontFamily: 'monospace' }}
                >
                  {host}
                </Typography>
                {result.message && (
                  <Typography
                    variant="body2"
                    component="span"
                    color="text.secondary"
                    sx={{ wordBreak: 'break-word' }}
                  >
                    {result.message}
                  </Typography>
                )}
              </Box>
            ))}
          </Box>
        )}
      </Collapse>
    </ListItem>
  );
}

function PlaySection(props: {
  play: Play;
  index: number;
  now: number;
  defaultOpen: boolean;
  onShowInLog(seq: number): void;
}) {
  const { play, now } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const [open, setOpen] = useState(props.defaultOpen);
  const failed = play.steps.filter(
    s => s.status === 'failed' || s.status === 'unreachable',
  ).length;
  const id = `orch-play-${props.index}`;
  const title =
    play.name || t('jobPage.steps.play', { name: String(props.index + 1) });
  return (
    <Box
      component="section"
      sx={{ mb: 1 }}
      aria-label={t('jobPage.steps.play', {
        name: play.name || String(props.index + 1),
      })}
    >
      <Box sx={{ display: 'flex', alignItems: 'center' }}>
        <Disclosure
          expanded={open}
          onToggle={() => setOpen(o => !o)}
          controls={id}
        >
          <Typography variant="subtitle2" component="span">
            {title}
          </Typography>
          <Typography
            variant="caption"
            color="text.secondary"
            component="span"
            sx={{ ml: 1 }}
          >
            {t('jobPage.steps.tasks', { count: play.steps.length })}
            {failed > 0 ? t('jobPage.steps.failed', { count: failed }) : ''}
          </Typography>
        </Disclosure>
      </Box>
      <Collapse in={open} id={id}>
        <List dense disablePadding>
          {play.steps.map(step => (
            <StepRow
              key={step.index}
              step={step}
              now={now}
              onShowInLog={props.onShowInLog}
            />
          ))}
        </List>
      </Collapse>
    </Box>
  );
}

/** The playbook's plays and tasks with per-host results, each collapsible. */
export function StepTimeline(props: {
  steps: JobStep[];
  now: number;
  pending: boolean;
  onShowInLog(seq: number): void;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const plays = byPlay(props.steps);
  if (plays.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {props.pending ? t('jobPage.steps.noneYet') : t('jobPage.steps.none')}
      </Typography>
    );
  }
  return (
    <Box>
      {plays.map((play, i) => (
        <PlaySection
          key={`${i}:${play.name}`}
          play={play}
          index={i}
          now={props.now}
          defaultOpen={plays.length <= 3 || i === plays.length - 1}
          onShowInLog={props.onShowInLog}
        />
      ))}
    </Box>
  );
}
