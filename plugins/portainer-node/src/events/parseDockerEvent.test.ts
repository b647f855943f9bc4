import {
  dockerEventKey,
  nanoToDockerSince,
  nanoToIso,
  parseDockerEvent,
} from './parseDockerEvent';

// Lines as dockerd 20.10 writes them (timeNano beyond Number precision).
const die =
  '{"status":"die","id":"abc123","from":"orch-test/busybox","Type":"container","Action":"die","Actor":{"ID":"abc123","Attributes":{"exitCode":"3","image":"orch-test/busybox","name":"web-1","com.docker.stack.namespace":"shop","com.docker.swarm.service.name":"shop_web","orch.job.id":"job-9"}},"scope":"local","time":1795656974,"timeNano":1795656974099302839}';

describe('parseDockerEvent', () => {
  it('types a die with its exit code, labels, service and stack', () => {
    expect(parseDockerEvent(die, 'local')).toEqual({
      endpointId: 'local',
      time: '2026-11-26T01:36:14.099302839Z',
      timeNano: '1795656974099302839',
      type: 'container',
      action: 'die',
      rawAction: 'die',
      actorId: 'abc123',
      containerId: 'abc123',
      containerName: 'web-1',
      serviceName: 'shop_web',
      stack: 'shop',
      image: 'orch-test/busybox',
      exitCode: 3,
      labels: {
        'com.docker.stack.namespace': 'shop',
        'com.docker.swarm.service.name': 'shop_web',
        'orch.job.id': 'job-9',
      },
    });
  });

  it('keeps the nanoseconds that JSON numbers lose', () => {
    const event = parseDockerEvent(die, 'local')!;
    expect(JSON.parse(die).timeNano).not.toBe(1795656974099302839n);
    expect(event.timeNano).toBe('1795656974099302839');
    expect(nanoToDockerSince(event.timeNano)).toBe('1795656974.099302839');
    expect(nanoToIso('1000000001')).toBe('1970-01-01T00:00:01.000000001Z');
  });

  it('splits health_status from its detail', () => {
    const line =
      '{"status":"health_status: unhealthy","id":"c1","Type":"container","Action":"health_status: unhealthy","Actor":{"ID":"c1","Attributes":{"image":"x","name":"api"}},"time":1,"timeNano":1000000000}';
    const event = parseDockerEvent(line, 'e1')!;
    expect(event.action).toBe('health_status');
    expect(event.rawAction).toBe('health_status: unhealthy');
    expect(event.health).toBe('unhealthy');
    expect(event.labels).toEqual({});
    expect(dockerEventKey(event)).toBe(
      '1000000000|c1|health_status: unhealthy',
    );
  });

  it('reads a kill signal and a service event', () => {
    const kill = parseDockerEvent(
      '{"Type":"container","Action":"kill","Actor":{"ID":"c1","Attributes":{"name":"/a","signal":"15"}},"time":2,"timeNano":2000000000}',
      'e1',
    )!;
    expect(kill.signal).toBe('15');
    expect(kill.containerName).toBe('a');
    const update = parseDockerEvent(
      '{"Type":"service","Action":"update","Actor":{"ID":"s1","Attributes":{"name":"shop_web","updatestate.new":"updating"}},"time":3,"timeNano":3000000000}',
      'e1',
    )!;
    expect(update).toMatchObject({
      type: 'service',
      serviceName: 'shop_web',
      labels: {},
    });
    expect(update.containerId).toBeUndefined();
  });

  it('falls back to whole seconds without timeNano', () => {
    const event = parseDockerEvent(
      '{"Type":"container","Action":"oom","Actor":{"ID":"c1","Attributes":{}},"time":5}',
      'e1',
    )!;
    expect(event.timeNano).toBe('5000000000');
  });

  it('ignores other object types and rejects what is not an event', () => {
    expect(
      parseDockerEvent(
        '{"Type":"network","Action":"connect","Actor":{"ID":"n"},"time":1}',
        'e1',
      ),
    ).toBeUndefined();
    expect(() => parseDockerEvent('{"Type":"container"', 'e1')).toThrow(
      'line is not JSON',
    );
    expect(() => parseDockerEvent('[1]', 'e1')).toThrow(/not an object/);
    expect(() =>
      parseDockerEvent('{"Type":"container","time":1}', 'e1'),
    ).toThrow(/no action/);
  });
});
