# Filters for runbooks that read the Docker API (directly or through Portainer's proxy).
# Ansible loads this folder because it sits beside the playbooks.
import re

_TIMESTAMP = re.compile(
    r'^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?'
)
_STACK_LABELS = ('com.docker.stack.namespace', 'com.docker.compose.project')
_SERVICE_LABELS = ('com.docker.swarm.service.name', 'com.docker.compose.service')


def _raw_bytes(content):
    # The uri module decodes the body as UTF-8 with surrogateescape: encoding
    # back the same way gives the exact bytes, frame headers included.
    if content is None:
        return b''
    if isinstance(content, bytes):
        return content
    return str(content).encode('utf-8', 'surrogateescape')


def _line(stream, raw, timestamps, max_line):
    # NUL never reaches the outputs: Postgres refuses it in JSON.
    text = raw.decode('utf-8', 'replace').replace('\x00', '')
    if text.endswith('\r'):
        text = text[:-1]
    entry = {'stream': stream}
    if timestamps:
        m = _TIMESTAMP.match(text)
        if m:
            entry['ts'] = m.group(1)
            text = text[m.end():]
    if len(text) > max_line:
        text = text[:max_line] + '\u2026'
    entry['line'] = text
    return entry


def docker_log_lines(content, tty=False, timestamps=False, max_line=16384):
    """Lines of a /containers/{id}/logs body: [{stream, line, ts?}].

    Without a TTY the body is multiplexed: frames of an 8-byte header (stream
    byte 1 stdout or 2 stderr, three zero bytes, uint32 big-endian size) and
    the payload; a line may span frames. With a TTY it is one raw stream.
    """
    data = _raw_bytes(content)
    if tty:
        frames = [('stdout', data)]
    else:
        frames = []
        i = 0
        while i + 8 <= len(data):
            stream = 'stderr' if data[i] == 2 else 'stdout'
            size = int.from_bytes(data[i + 4:i + 8], 'big')
            frames.append((stream, data[i + 8:i + 8 + size]))
            i += 8 + size
    partial = {'stdout': b'', 'stderr': b''}
    lines = []
    for stream, payload in frames:
        parts = (partial[stream] + payload).split(b'\n')
        partial[stream] = parts.pop()
        lines.extend(_line(stream, p, timestamps, max_line) for p in parts)
    for stream in ('stdout', 'stderr'):
        if partial[stream]:
            lines.append(_line(stream, partial[stream], timestamps, max_line))
    return lines


def _first_label(labels, keys):
    for key in keys:
        if labels.get(key):
            return labels[key]
    return None


def docker_container_summaries(containers, limit=None):
    """Docker's /containers/json entries as short summaries."""
    out = []
    for c in (containers or [])[:limit]:
        labels = c.get('Labels') or {}
        names = c.get('Names') or []
        summary = {
            'id': c.get('Id', '')[:12],
            'name': (names[0] if names else c.get('Id', '')[:12]).lstrip('/'),
            'image': c.get('Image'),
            'state': c.get('State'),
            'status': c.get('Status'),
        }
        stack = _first_label(labels, _STACK_LABELS)
        service = _first_label(labels, _SERVICE_LABELS)
        if stack:
            summary['stack'] = stack
        if service:
            summary['service'] = service
        out.append(summary)
    return out


def pick_keys(items, keys):
    """Each mapping of a list reduced to the given keys (those it has)."""
    return [{k: item[k] for k in keys if k in item} for item in (items or [])]


class FilterModule(object):
    def filters(self):
        return {
            'docker_log_lines': docker_log_lines,
            'docker_container_summaries': docker_container_summaries,
            'pick_keys': pick_keys,
        }
