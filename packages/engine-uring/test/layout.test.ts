import { structLayout } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import * as L from '../src/uring/layout.js';

const URING = ['linux/io_uring.h'];

/**
 * Checks a layout object against the C compiler's view of `type`:
 * `fields` maps each of our names to the C member it stands for.
 */
function check(
  headers: string[],
  type: string,
  ours: Record<string, number>,
  fields: Record<string, string>,
) {
  const c = structLayout(headers, type, Object.values(fields));
  expect(ours.size, `sizeof(${type})`).toBe(c.size);
  for (const [name, member] of Object.entries(fields)) {
    expect(ours[name], `offsetof(${type}, ${member})`).toBe(c.offsets[member]);
  }
  // Every offset we carry is checked: nothing typed by hand escapes.
  expect(Object.keys(ours).sort()).toEqual(['size', ...Object.keys(fields)].sort());
}

describe('struct layouts match the system headers', () => {
  it('io_uring_sqe', () => {
    check(URING, 'struct io_uring_sqe', L.SQE, {
      opcode: 'opcode',
      flags: 'flags',
      ioprio: 'ioprio',
      fd: 'fd',
      off: 'off',
      addr: 'addr',
      len: 'len',
      opFlags: 'rw_flags',
      userData: 'user_data',
      bufIndex: 'buf_index',
      personality: 'personality',
      spliceFdIn: 'splice_fd_in',
      addr3: 'addr3',
    });
    // The unions binio writes through their first member share its offset.
    const u = structLayout(URING, 'struct io_uring_sqe', [
      'addr2',
      'splice_off_in',
      'timeout_flags',
      'open_flags',
      'msg_flags',
      'buf_group',
      'file_index',
      'addr_len',
    ]);
    expect(u.offsets).toEqual({
      addr2: L.SQE.off,
      splice_off_in: L.SQE.addr,
      timeout_flags: L.SQE.opFlags,
      open_flags: L.SQE.opFlags,
      msg_flags: L.SQE.opFlags,
      buf_group: L.SQE.bufIndex,
      file_index: L.SQE.spliceFdIn,
      addr_len: L.SQE.spliceFdIn,
    });
  });

  it('io_uring_cqe', () => {
    check(URING, 'struct io_uring_cqe', L.CQE, {
      userData: 'user_data',
      res: 'res',
      flags: 'flags',
    });
  });

  it('io_uring_params and the ring offsets', () => {
    check(URING, 'struct io_uring_params', L.PARAMS, {
      sqEntries: 'sq_entries',
      cqEntries: 'cq_entries',
      flags: 'flags',
      sqThreadCpu: 'sq_thread_cpu',
      sqThreadIdle: 'sq_thread_idle',
      features: 'features',
      wqFd: 'wq_fd',
      sqOff: 'sq_off',
      cqOff: 'cq_off',
    });
    check(URING, 'struct io_sqring_offsets', L.SQ_OFF, {
      head: 'head',
      tail: 'tail',
      ringMask: 'ring_mask',
      ringEntries: 'ring_entries',
      flags: 'flags',
      dropped: 'dropped',
      array: 'array',
    });
    check(URING, 'struct io_cqring_offsets', L.CQ_OFF, {
      head: 'head',
      tail: 'tail',
      ringMask: 'ring_mask',
      ringEntries: 'ring_entries',
      overflow: 'overflow',
      cqes: 'cqes',
      flags: 'flags',
    });
  });

  it('probe, restriction, provided buffers, resources, recvmsg_out', () => {
    check(URING, 'struct io_uring_probe', L.PROBE, {
      lastOp: 'last_op',
      opsLen: 'ops_len',
      ops: 'ops',
    });
    check(URING, 'struct io_uring_probe_op', L.PROBE_OP, { op: 'op', flags: 'flags' });
    check(URING, 'struct io_uring_restriction', L.RESTRICTION, { opcode: 'opcode', arg: 'sqe_op' });
    check(URING, 'struct io_uring_buf', L.BUF, { addr: 'addr', len: 'len', bid: 'bid' });
    expect(structLayout(URING, 'struct io_uring_buf_ring', ['tail']).offsets.tail).toBe(
      L.BUF_RING_TAIL,
    );
    check(URING, 'struct io_uring_buf_reg', L.BUF_REG, {
      ringAddr: 'ring_addr',
      ringEntries: 'ring_entries',
      bgid: 'bgid',
    });
    check(URING, 'struct io_uring_rsrc_register', L.RSRC_REGISTER, {
      nr: 'nr',
      flags: 'flags',
      data: 'data',
      tags: 'tags',
    });
    check(URING, 'struct io_uring_rsrc_update', L.RSRC_UPDATE, { offset: 'offset', data: 'data' });
    check(URING, 'struct io_uring_rsrc_update2', L.RSRC_UPDATE2, {
      offset: 'offset',
      data: 'data',
      tags: 'tags',
      nr: 'nr',
    });
    check(URING, 'struct io_uring_recvmsg_out', L.RECVMSG_OUT, {
      namelen: 'namelen',
      controllen: 'controllen',
      payloadlen: 'payloadlen',
      flags: 'flags',
    });
  });

  it('__kernel_timespec', () => {
    check(['linux/time_types.h'], 'struct __kernel_timespec', L.TIMESPEC, {
      sec: 'tv_sec',
      nsec: 'tv_nsec',
    });
  });
});
