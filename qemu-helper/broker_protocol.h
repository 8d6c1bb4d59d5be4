/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_protocol.h - the messages between tapwardend and its clients.
 */
#ifndef TAPWARDEN_QEMU_BROKER_PROTOCOL_H
#define TAPWARDEN_QEMU_BROKER_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <glib.h>

#define BROKER_MAGIC		0x52425754u	/* "TWBR" in memory order */
#define BROKER_PROTOCOL_VERSION	1
/* Largest message, header included; a longer one is malformed */
#define BROKER_MSG_MAX		4096
#define BROKER_HEADER_SIZE	12
#define BROKER_TEXT_MAX		1024	/* BA_TEXT bytes */
#define BROKER_USER_MAX		64	/* BA_USER bytes */
#define BROKER_MODE_MAX		15	/* BA_MODE bytes */
#define BROKER_ADDRESS_MAX	18	/* BA_ADDRESS bytes: 255.255.255.255/32 */

enum broker_msg_type {
	BROKER_REQ_TAP = 1,	/* a tap for NAME; QEMU's socket may ride along */
	BROKER_REQ_LIST,	/* the caller's leases (root: all) */
	BROKER_REQ_CHECK,	/* may USER use NAME, and why */
	BROKER_REQ_NETWORKS,	/* the configured networks */
	BROKER_REP_TAP = 64,	/* the tap: IFNAME, fd attached */
	BROKER_REP_ERROR,	/* refusal or failure: CODE, TEXT */
	BROKER_REP_LEASE,	/* one lease of a list */
	BROKER_REP_CHECK,	/* ALLOWED, TEXT */
	BROKER_REP_NETWORK,	/* one network */
	BROKER_REP_END,		/* end of a list */
};

enum broker_attr {
	BA_NAME = 1,	/* string < IFNAMSIZ: network or bridge name */
	BA_VNET_HDR,	/* u8 0/1 */
	BA_IFNAME,	/* string < IFNAMSIZ */
	BA_CODE,	/* u32: a TW_ERROR code */
	BA_TEXT,	/* string <= BROKER_TEXT_MAX */
	BA_UID,		/* u32 */
	BA_USER,	/* string <= BROKER_USER_MAX */
	BA_BRIDGE,	/* string < IFNAMSIZ */
	BA_PID,		/* u32 */
	BA_SINCE,	/* u64: seconds since the epoch */
	BA_MODE,	/* string <= BROKER_MODE_MAX */
	BA_ALLOWED,	/* u8 0/1 */
	BA_COUNT,	/* u32 */
	BA_LIMIT,	/* u32: max-per-user, 0 for none */
	BA_VLAN,	/* u32: VLAN of a lease */
	BA_INBOUND,	/* u64: rate to the guest, bits/s (asked, or in force) */
	BA_OUTBOUND,	/* u64: rate from the guest, bits/s (likewise) */
	BA_ADDRESS,	/* string <= BROKER_ADDRESS_MAX: a NAT network's GW/PREFIX */
	BA_RULES,	/* u8 0/1: a NAT network's nftables rules are all present */
	BA_DNSMASQ_PID,	/* u32: a NAT network's dnsmasq, 0 when none runs */
	BA_DHCP_LEASES,	/* u32: a NAT network's DHCP leases */
	BA__COUNT,
};

/**
 * struct broker_msg - a decoded message; which fields mean something is
 * told by @present (bit 1 << BA_x)
 */
struct broker_msg {
	uint16_t type;
	uint32_t present;
	char name[IFNAMSIZ];
	bool vnet_hdr;
	char ifname[IFNAMSIZ];
	uint32_t code;
	char text[BROKER_TEXT_MAX + 1];
	uint32_t uid;
	char user[BROKER_USER_MAX + 1];
	char bridge[IFNAMSIZ];
	uint32_t pid;
	uint64_t since;
	char mode[BROKER_MODE_MAX + 1];
	bool allowed;
	uint32_t count;
	uint32_t limit;
	uint32_t vlan;
	uint64_t inbound;
	uint64_t outbound;
	char address[BROKER_ADDRESS_MAX + 1];
	bool rules;
	uint32_t dnsmasq_pid;
	uint32_t dhcp_leases;
};

#define BROKER_HAS(msg, attr) (((msg)->present >> (attr)) & 1u)

void broker_msg_init(struct broker_msg *msg, uint16_t type);
bool broker_msg_set_str(struct broker_msg *msg, enum broker_attr attr,
			const char *value);
void broker_msg_set_text(struct broker_msg *msg, const char *text);
void broker_msg_set_u32(struct broker_msg *msg, enum broker_attr attr,
			uint32_t value);
void broker_msg_set_u64(struct broker_msg *msg, enum broker_attr attr,
			uint64_t value);
size_t broker_msg_encode(const struct broker_msg *msg, uint8_t *buf,
			 size_t size);
bool broker_msg_decode(const uint8_t *buf, size_t len, struct broker_msg *msg,
		       GError **error);

#endif
