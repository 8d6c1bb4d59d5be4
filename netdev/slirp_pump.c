/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_pump.c - batched Ethernet frame I/O between a tap and libslirp.
 *
 * Theory of operation: the engine (slirp.c) calls slirp_pump_receive() when
 * the pump's descriptor is readable, and gets every waiting frame through a
 * callback; frames libslirp sends to the guest are copied into a fixed batch
 * by slirp_pump_queue() and leave in one system call by slirp_pump_flush(),
 * which the engine calls once per turn of its loop (or the queue itself when
 * the batch is full). Nothing is allocated after set-up.
 *
 * Two kinds of pump:
 *  - packet: the tap's descriptor belongs to QEMU, so the engine reaches the
 *    tap from the kernel side, through an AF_PACKET socket bound to it.
 *    Frames QEMU writes arrive as the tap's input, in a PACKET_RX_RING
 *    (TPACKET_V2) shared with the kernel: receiving costs no system call per
 *    frame, and the ring, not the socket buffer (which an unprivileged
 *    process cannot raise past rmem_max), bounds how many 64 KiB frames can
 *    wait. Frames for the guest leave with sendmmsg() as the tap's output,
 *    bypassing the qdisc, straight into the queue QEMU reads.
 *    PACKET_IGNORE_OUTGOING keeps our own frames out of the ring.
 *    The socket speaks virtio-net headers (PACKET_VNET_HDR), so that a
 *    guest with offloads (QEMU's --use-vnet) costs the emulated CPU less:
 *    its partial checksums are completed here (libslirp checks them), its
 *    TSO super-frames go to libslirp whole (one TCP segment of up to 64 KiB,
 *    which libslirp takes like any other), and frames to the guest are
 *    marked DATA_VALID (libslirp's checksums are right; the guest need not
 *    verify them) or, where slirp_coalesce.c joined a flow's segments of
 *    one batch, sent as one GSO frame.
 *  - tap: the engine holds the tap itself (tapwarden usernet): frames are
 *    read until the queue is empty, and written one writev() each (a tap
 *    takes one frame per write; there is no batched form), after the
 *    batch was coalesced. With IFF_VNET_HDR the tap is given checksum and
 *    TSO4 offloads (TUNSETOFFLOAD), so the namespace's stack hands over
 *    64 KiB super-frames with partial checksums, as a guest does; not
 *    TSO6 (libslirp's IPv6 would refuse them and they would have to be
 *    cut), and not at MTUs of 16 KiB and more, where frames are big
 *    already and completing checksums would only move work into the one
 *    busy process (measured: 7.9 vs 8.3 Gbit/s up at MTU 65520); there,
 *    frames are written at once from libslirp's buffer, saving the copy
 *    into the batch.
 */
#include "slirp_pump.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_tun.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "error.h"
#include "slirp_coalesce.h"
#include "slirp_csum.h"
#include "slirp_segment.h"

#define PUMP_BATCH		64	/* frames per sendmmsg() / read burst */
#define RING_BLOCK_SIZE		(1u << 20)
#define RING_MIN_BYTES		(8u << 20)
#define RING_MIN_FRAMES		256u
#define FRAME_HEADROOM		(ETH_HLEN + 4)	/* Ethernet + one VLAN tag */
#define GSO_MAX_FRAME		(65536 + FRAME_HEADROOM)
#define OFFLOAD_MTU_LIMIT	16384	/* usernet: TSO pays below this MTU */
#define VNET_HDR_LEN		sizeof(struct virtio_net_hdr)


enum pump_kind { PUMP_PACKET, PUMP_TAP };

/**
 * struct slirp_pump - one link's frame I/O
 * @kind:	packet socket or tap
 * @fd:		the descriptor (owned)
 * @max_frame:	largest frame carried: MTU + Ethernet header (+ a VLAN tag)
 * @ring:	packet: the mmap()ed receive ring
 * @ring_len:	its length in bytes
 * @frame_size:	packet: bytes per ring slot
 * @frame_nr:	packet: number of ring slots
 * @per_block:	packet: slots per ring block
 * @rx_head:	packet: next slot to look at
 * @rx_buf:	tap: one frame read at a time
 * @seg_buf:	one segment of a TCP/IPv6 super-frame being cut
 * @tx_buf:	PUMP_BATCH slots of @slot_size bytes
 * @slot_size:	bytes per slot: @max_frame, or a GSO frame's for packet pumps
 * @vnet_hdr:	the descriptor speaks virtio-net headers
 * @coalesce:	frames to the guest are batched and joined (else, on a tap,
 *		written at once from libslirp's buffer: no copy)
 * @tx_vnet:	per slot: its virtio-net header
 * @tx_state:	per slot: what slirp_coalesce needs to join segments to it
 * @tx_iov:	per slot: the virtio-net header and the frame
 * @tx_msg:	one message per slot, for sendmmsg()
 * @tx_count:	frames waiting in @tx_buf
 */
struct slirp_pump {
	enum pump_kind kind;
	int fd;
	size_t max_frame;
	uint8_t *ring;
	size_t ring_len;
	unsigned int frame_size, frame_nr, per_block, rx_head;
	uint8_t *rx_buf;
	uint8_t *seg_buf;
	uint8_t *tx_buf;
	size_t slot_size;
	bool vnet_hdr;
	bool coalesce;
	struct virtio_net_hdr tx_vnet[PUMP_BATCH];
	struct slirp_coalesce tx_state[PUMP_BATCH];
	struct iovec tx_iov[PUMP_BATCH][2];
	struct mmsghdr tx_msg[PUMP_BATCH];
	unsigned int tx_count;
};

/**
 * pump_alloc() - the parts both kinds share
 * @kind:	which kind
 * @fd:		descriptor, owned from now on
 * @mtu:	link MTU
 * @slot_size:	bytes per batch slot, at least MTU + FRAME_HEADROOM
 *
 * Return: the pump (never NULL).
 */
static struct slirp_pump *pump_alloc(enum pump_kind kind, int fd,
				     unsigned int mtu, size_t slot_size)
{
	struct slirp_pump *pump = g_new0(struct slirp_pump, 1);

	pump->kind = kind;
	pump->fd = fd;
	pump->max_frame = mtu + FRAME_HEADROOM;
	pump->slot_size = MAX(slot_size, pump->max_frame);
	pump->seg_buf = g_malloc(pump->max_frame + 128);
	pump->tx_buf = g_malloc(PUMP_BATCH * pump->slot_size);
	for (unsigned int i = 0; i < PUMP_BATCH; i++) {
		pump->tx_iov[i][0].iov_base = &pump->tx_vnet[i];
		pump->tx_iov[i][0].iov_len = VNET_HDR_LEN;
		pump->tx_iov[i][1].iov_base = pump->tx_buf + i * pump->slot_size;
		pump->tx_msg[i].msg_hdr.msg_iov = &pump->tx_iov[i][1];
		pump->tx_msg[i].msg_hdr.msg_iovlen = 1;
	}
	return pump;
}

/**
 * pump_fail() - set @error for a failed system call and free @pump
 * @pump:	the pump being set up
 * @error:	set to "WHAT: strerror"
 * @what:	what failed
 *
 * Return: NULL.
 */
static struct slirp_pump *pump_fail(struct slirp_pump *pump, GError **error,
				    const char *what)
{
	int err = errno;

	g_set_error(error, TW_ERROR, TW_ERROR_KERNEL, "%s: %s", what,
		    g_strerror(err));
	slirp_pump_free(pump);
	return NULL;
}

/**
 * slirp_pump_new_packet() - a pump on an AF_PACKET socket
 * @packet_fd:	AF_PACKET SOCK_RAW socket, not yet bound: the ring must
 *		exist before frames arrive (else they queue outside it);
 *		owned from now on, also on failure
 * @ifindex:	the tap's interface index, in the socket's namespace
 * @mtu:	link MTU
 * @error:	set on failure
 *
 * Return: the pump, or NULL with @error set.
 */
struct slirp_pump *slirp_pump_new_packet(int packet_fd, int ifindex,
					 unsigned int mtu, GError **error)
{
	struct slirp_pump *pump = pump_alloc(PUMP_PACKET, packet_fd, mtu,
					     GSO_MAX_FRAME);
	struct sockaddr_ll addr = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	struct tpacket_req req = { 0 };
	int version = TPACKET_V2, one = 1;
	unsigned int blocks;

	/* with virtio-net headers, a TSO super-frame may come at any MTU */
	if (setsockopt(packet_fd, SOL_PACKET, PACKET_VNET_HDR, &one,
		       sizeof(one)) == 0) {
		pump->vnet_hdr = true;
		pump->coalesce = true;
		for (unsigned int i = 0; i < PUMP_BATCH; i++) {
			pump->tx_msg[i].msg_hdr.msg_iov = pump->tx_iov[i];
			pump->tx_msg[i].msg_hdr.msg_iovlen = 2;
		}
	}
	/* slot: header, MAC offset alignment, virtio-net header, frame */
	pump->frame_size = TPACKET_ALIGN(TPACKET2_HDRLEN + 16 + VNET_HDR_LEN +
					 (pump->vnet_hdr ? MAX(pump->max_frame, GSO_MAX_FRAME) :
							   pump->max_frame));
	pump->per_block = RING_BLOCK_SIZE / pump->frame_size;
	blocks = MAX(RING_MIN_BYTES / RING_BLOCK_SIZE,
		     (RING_MIN_FRAMES + pump->per_block - 1) / pump->per_block);
	req = (struct tpacket_req){
		.tp_block_size = RING_BLOCK_SIZE,
		.tp_block_nr = blocks,
		.tp_frame_size = pump->frame_size,
		.tp_frame_nr = blocks * pump->per_block,
	};
	pump->frame_nr = req.tp_frame_nr;

	if (setsockopt(packet_fd, SOL_PACKET, PACKET_VERSION, &version,
		       sizeof(version)) < 0)
		return pump_fail(pump, error, "cannot set TPACKET_V2");
	if (setsockopt(packet_fd, SOL_PACKET, PACKET_RX_RING, &req,
		       sizeof(req)) < 0)
		return pump_fail(pump, error, "cannot set up the receive ring");
	pump->ring_len = (size_t)blocks * RING_BLOCK_SIZE;
	pump->ring = mmap(NULL, pump->ring_len, PROT_READ | PROT_WRITE,
			  MAP_SHARED, packet_fd, 0);
	if (pump->ring == MAP_FAILED) {
		pump->ring = NULL;
		return pump_fail(pump, error, "cannot map the receive ring");
	}
	/* our own frames to the guest are not for us; older kernels lack
	 * this option and then show them, which slirp ignores (not its MAC) */
	(void)setsockopt(packet_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			 sizeof(one));
	(void)setsockopt(packet_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
			 sizeof(one));
	if (bind(packet_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return pump_fail(pump, error, "cannot bind to the tap");
	return pump;
}

/**
 * slirp_pump_new_tap() - a pump on a tap descriptor this process holds
 * @tap_fd:	non-blocking tap descriptor; owned from now on
 * @mtu:	link MTU
 * @vnet_hdr:	the tap has IFF_VNET_HDR (10-byte headers): offloads are
 *		turned on and used
 * @error:	set on failure
 *
 * Return: the pump, or NULL with @error set.
 */
struct slirp_pump *slirp_pump_new_tap(int tap_fd, unsigned int mtu,
				      bool vnet_hdr, GError **error)
{
	struct slirp_pump *pump = pump_alloc(PUMP_TAP, tap_fd, mtu,
					     vnet_hdr ? GSO_MAX_FRAME : 0);

	(void)error;
	pump->vnet_hdr = vnet_hdr;
	/* offloads only change what the namespace sends: best effort; with
	 * them, the namespace takes GSO frames too, so joining pays */
	if (vnet_hdr && mtu < OFFLOAD_MTU_LIMIT)
		pump->coalesce = ioctl(tap_fd, TUNSETOFFLOAD,
				       TUN_F_CSUM | TUN_F_TSO4) == 0;
	else if (vnet_hdr)
		(void)ioctl(tap_fd, TUNSETOFFLOAD, 0);
	else
		for (unsigned int i = 0; i < PUMP_BATCH; i++)
			pump->tx_iov[i][0].iov_len = 0;
	pump->rx_buf = g_malloc(VNET_HDR_LEN + pump->slot_size);
	return pump;
}

/**
 * slirp_pump_fd() - the descriptor to poll for input
 * @pump:	the pump
 *
 * Return: the descriptor; POLLERR or POLLHUP on it means the link is gone.
 */
int slirp_pump_fd(const struct slirp_pump *pump)
{
	return pump->fd;
}

/**
 * link_gone() - does this errno mean the tap has disappeared
 * @err:	errno of a failed read or write
 *
 * Return: true for the errors a removed or detached device gives.
 */
static bool link_gone(int err)
{
	return err == ENETDOWN || err == ENXIO || err == ENODEV ||
	       err == EBADFD || err == EIO;
}

/**
 * complete_checksum() - fill in a checksum the guest left partial
 * @vnet:	the frame's virtio-net header
 * @frame:	the frame
 * @len:	its length
 *
 * With NEEDS_CSUM, the checksum field at csum_start + csum_offset holds
 * the pseudo-header sum; the ones' complement of the sum from csum_start
 * to the end is the checksum.
 */
static void complete_checksum(const struct virtio_net_hdr *vnet,
			      uint8_t *frame, size_t len)
{
	size_t start = le16toh(vnet->csum_start);
	size_t at = start + le16toh(vnet->csum_offset);
	uint16_t csum;

	if (!(vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || at + 2 > len)
		return;
	csum = slirp_csum_fold(slirp_csum_add(0, frame + start, len - start));
	frame[at] = (uint8_t)(csum >> 8);
	frame[at + 1] = (uint8_t)csum;
}

/**
 * deliver_offloaded() - pass a frame that came with a virtio-net header
 * @pump:	the pump
 * @vnet:	its header
 * @frame:	the frame (its checksum may be completed in place)
 * @len:	its length
 * @deliver:	callback
 * @opaque:	its argument
 *
 * TCP/IPv4 super-frames go whole; TCP/IPv6 ones longer than the link are
 * cut (slirp_segment.c), since libslirp's IPv6 refuses them.
 */
static void deliver_offloaded(struct slirp_pump *pump,
			      const struct virtio_net_hdr *vnet,
			      uint8_t *frame, size_t len,
			      slirp_pump_deliver_fn deliver, void *opaque)
{
	if ((vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
		    VIRTIO_NET_HDR_GSO_TCPV6 && len > pump->max_frame &&
	    slirp_segment_tcp6(frame, len, le16toh(vnet->gso_size),
			       pump->seg_buf, pump->max_frame + 128,
			       deliver, opaque))
		return;
	complete_checksum(vnet, frame, len);
	deliver(frame, len, opaque);
}

/**
 * packet_receive() - hand every frame waiting in the ring to @deliver
 * @pump:	packet pump
 * @deliver:	callback
 * @opaque:	its argument
 */
static void packet_receive(struct slirp_pump *pump,
			   slirp_pump_deliver_fn deliver, void *opaque)
{
	/* at most one lap, so that the host side gets its turn too */
	for (unsigned int n = 0; n < pump->frame_nr; n++) {
		unsigned int block = pump->rx_head / pump->per_block;
		unsigned int slot = pump->rx_head % pump->per_block;
		uint8_t *base = pump->ring + (size_t)block * RING_BLOCK_SIZE +
				(size_t)slot * pump->frame_size;
		struct tpacket2_hdr *hdr = (struct tpacket2_hdr *)base;

		if (!(__atomic_load_n(&hdr->tp_status, __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER))
			break;
		/* a frame cut to the slot is not worth passing on */
		if (hdr->tp_snaplen == hdr->tp_len && hdr->tp_len >= ETH_HLEN) {
			uint8_t *frame = base + hdr->tp_mac;

			if (pump->vnet_hdr)
				deliver_offloaded(pump, (struct virtio_net_hdr *)
						  (void *)(frame - VNET_HDR_LEN),
						  frame, hdr->tp_snaplen,
						  deliver, opaque);
			else
				deliver(frame, hdr->tp_snaplen, opaque);
		}
		__atomic_store_n(&hdr->tp_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		pump->rx_head = (pump->rx_head + 1) % pump->frame_nr;
	}
}

/**
 * tap_receive() - read frames until the tap's queue is empty
 * @pump:	tap pump
 * @deliver:	callback
 * @opaque:	its argument
 * @error:	set when the tap is gone
 *
 * Return: false when the tap is gone.
 */
static bool tap_receive(struct slirp_pump *pump, slirp_pump_deliver_fn deliver,
			void *opaque, GError **error)
{
	size_t skip = pump->tx_iov[0][0].iov_len ? VNET_HDR_LEN : 0;

	for (unsigned int n = 0; n < PUMP_BATCH * 4; n++) {
		ssize_t len = read(pump->fd, pump->rx_buf,
				   skip + pump->slot_size);
		uint8_t *frame = pump->rx_buf + skip;

		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return true;
			if (!link_gone(errno))
				return true;
			g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
				    "the tap is gone: %s", g_strerror(errno));
			return false;
		}
		if (len < (ssize_t)(skip + ETH_HLEN))
			continue;
		if (pump->vnet_hdr)
			deliver_offloaded(pump, (struct virtio_net_hdr *)(void *)
					  pump->rx_buf, frame, (size_t)len - skip,
					  deliver, opaque);
		else
			deliver(frame, (size_t)len - skip, opaque);
	}
	return true;
}

/**
 * slirp_pump_receive() - pass every frame from the guest to @deliver
 * @pump:	the pump
 * @deliver:	called once per frame
 * @opaque:	its last argument
 * @error:	set when the link is gone
 *
 * Return: false when the link is gone.
 */
bool slirp_pump_receive(struct slirp_pump *pump, slirp_pump_deliver_fn deliver,
			void *opaque, GError **error)
{
	if (pump->kind == PUMP_TAP)
		return tap_receive(pump, deliver, opaque, error);
	packet_receive(pump, deliver, opaque);
	return true;
}

/**
 * slirp_pump_queue() - copy a frame for the guest into the batch
 * @pump:	the pump
 * @frame:	Ethernet frame
 * @len:	its length; a frame longer than the link carries is dropped
 *
 * A full batch is flushed at once; a failure shows at the next flush.
 */
void slirp_pump_queue(struct slirp_pump *pump, const void *frame, size_t len)
{
	if (len > pump->max_frame)
		return;
	if (pump->kind == PUMP_TAP && !pump->coalesce) {
		struct virtio_net_hdr valid = {
			.flags = VIRTIO_NET_HDR_F_DATA_VALID,
		};
		struct iovec iov[2] = {
			{ .iov_base = &valid, .iov_len = VNET_HDR_LEN },
			{ .iov_base = (void *)frame, .iov_len = len },
		};

		/* a full tap queue drops the frame; TCP sends it again */
		(void)!writev(pump->fd, iov + !pump->vnet_hdr,
			      2 - !pump->vnet_hdr);
		return;
	}
	if (pump->coalesce && pump->tx_count &&
	    slirp_coalesce_append(&pump->tx_state[pump->tx_count - 1],
				  pump->tx_iov[pump->tx_count - 1][1].iov_base,
				  &pump->tx_iov[pump->tx_count - 1][1].iov_len,
				  pump->slot_size, frame, len))
		return;
	memcpy(pump->tx_iov[pump->tx_count][1].iov_base, frame, len);
	pump->tx_iov[pump->tx_count][1].iov_len = len;
	if (pump->coalesce)
		slirp_coalesce_start(&pump->tx_state[pump->tx_count], frame, len);
	if (++pump->tx_count == PUMP_BATCH)
		(void)slirp_pump_flush(pump, NULL);
}

/**
 * tap_flush() - write the batch to the tap, one frame per writev()
 * @pump:	tap pump
 * @error:	set when the tap is gone
 *
 * Return: false when the tap is gone.
 */
static bool tap_flush(struct slirp_pump *pump, GError **error)
{
	/* without IFF_VNET_HDR the first iovec is empty */
	unsigned int first = pump->tx_iov[0][0].iov_len ? 0 : 1;

	for (unsigned int i = 0; i < pump->tx_count; i++) {
		/* a full tap queue drops the frame; TCP sends it again */
		if (writev(pump->fd, &pump->tx_iov[i][first], 2 - (int)first) < 0 &&
		    link_gone(errno)) {
			pump->tx_count = 0;
			g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
				    "the tap is gone: %s", g_strerror(errno));
			return false;
		}
	}
	pump->tx_count = 0;
	return true;
}

/**
 * slirp_pump_flush() - send the frames queued for the guest
 * @pump:	the pump
 * @error:	set when the link is gone
 *
 * Frames the kernel cannot take now are dropped, as a full link would.
 *
 * Return: false when the link is gone.
 */
bool slirp_pump_flush(struct slirp_pump *pump, GError **error)
{
	unsigned int sent = 0;

	for (unsigned int i = 0; pump->coalesce && i < pump->tx_count; i++)
		slirp_coalesce_finish(&pump->tx_state[i],
				      pump->tx_iov[i][1].iov_base,
				      pump->tx_iov[i][1].iov_len,
				      &pump->tx_vnet[i]);
	if (pump->kind == PUMP_TAP)
		return tap_flush(pump, error);
	while (sent < pump->tx_count) {
		int rc = sendmmsg(pump->fd, pump->tx_msg + sent,
				  pump->tx_count - sent, MSG_DONTWAIT);

		if (rc > 0) {
			sent += (unsigned int)rc;
			continue;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 && link_gone(errno)) {
			pump->tx_count = 0;
			g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
				    "the tap is gone: %s", g_strerror(errno));
			return false;
		}
		/* EAGAIN, ENOBUFS, a bad frame: drop it and go on */
		sent++;
	}
	pump->tx_count = 0;
	return true;
}

/**
 * slirp_pump_free() - close the descriptor and free the pump
 * @pump:	the pump, or NULL
 */
void slirp_pump_free(struct slirp_pump *pump)
{
	if (!pump)
		return;
	if (pump->ring)
		munmap(pump->ring, pump->ring_len);
	if (pump->fd >= 0)
		close(pump->fd);
	g_free(pump->rx_buf);
	g_free(pump->seg_buf);
	g_free(pump->tx_buf);
	g_free(pump);
}
