/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_protocol.c - encode and decode tapwardend's messages.
 *
 * One message is one SOCK_SEQPACKET datagram of at most BROKER_MSG_MAX
 * bytes, in host byte order (both ends are on one host):
 *
 *   u32 magic "TWBR" | u16 version | u16 type | u32 length of the whole
 *   then attributes:  u16 attr | u16 value length | value
 *
 * The decoder trusts nothing: the length must be the datagram's, the
 * version this one, the type known, every attribute known, allowed for the
 * type, present at most once, of its exact size (numbers) or within its
 * bounds and free of NUL bytes (strings), and every required attribute
 * present. Anything else is an error; the caller answers it and closes the
 * connection. A new version may add types and attributes; it must bump
 * BROKER_PROTOCOL_VERSION when old peers could misread it.
 */
#include "broker_protocol.h"

#include <string.h>

#include "error.h"

enum attr_kind { ATTR_STR, ATTR_U8, ATTR_U32, ATTR_U64 };

/**
 * struct attr_spec - the wire form of one attribute
 * @kind:	string or number
 * @max:	longest string, without NUL
 * @offset:	where the field is in struct broker_msg
 */
struct attr_spec {
	enum attr_kind kind;
	size_t max;
	size_t offset;
};

#define STR(field, maxlen) { ATTR_STR, maxlen, offsetof(struct broker_msg, field) }
#define NUM(kind, field) { kind, 0, offsetof(struct broker_msg, field) }

static const struct attr_spec attr_specs[BA__COUNT] = {
	[BA_NAME] = STR(name, IFNAMSIZ - 1),
	[BA_VNET_HDR] = NUM(ATTR_U8, vnet_hdr),
	[BA_IFNAME] = STR(ifname, IFNAMSIZ - 1),
	[BA_CODE] = NUM(ATTR_U32, code),
	[BA_TEXT] = STR(text, BROKER_TEXT_MAX),
	[BA_UID] = NUM(ATTR_U32, uid),
	[BA_USER] = STR(user, BROKER_USER_MAX),
	[BA_BRIDGE] = STR(bridge, IFNAMSIZ - 1),
	[BA_PID] = NUM(ATTR_U32, pid),
	[BA_SINCE] = NUM(ATTR_U64, since),
	[BA_MODE] = STR(mode, BROKER_MODE_MAX),
	[BA_ALLOWED] = NUM(ATTR_U8, allowed),
	[BA_COUNT] = NUM(ATTR_U32, count),
	[BA_LIMIT] = NUM(ATTR_U32, limit),
	[BA_VLAN] = NUM(ATTR_U32, vlan),
	[BA_INBOUND] = NUM(ATTR_U64, inbound),
	[BA_OUTBOUND] = NUM(ATTR_U64, outbound),
	[BA_ADDRESS] = STR(address, BROKER_ADDRESS_MAX),
	[BA_RULES] = NUM(ATTR_U8, rules),
	[BA_DNSMASQ_PID] = NUM(ATTR_U32, dnsmasq_pid),
	[BA_DHCP_LEASES] = NUM(ATTR_U32, dhcp_leases),
};

#define BIT(attr) (1u << (attr))

/**
 * struct type_spec - the attributes of one message type
 * @type:	message type
 * @required:	attributes it must carry
 * @optional:	attributes it may carry
 */
struct type_spec {
	uint16_t type;
	uint32_t required;
	uint32_t optional;
};

static const struct type_spec type_specs[] = {
	{ BROKER_REQ_TAP, BIT(BA_NAME),
	  BIT(BA_VNET_HDR) | BIT(BA_INBOUND) | BIT(BA_OUTBOUND) },
	{ BROKER_REQ_LIST, 0, 0 },
	{ BROKER_REQ_CHECK, BIT(BA_USER) | BIT(BA_NAME), 0 },
	{ BROKER_REQ_NETWORKS, 0, 0 },
	{ BROKER_REP_TAP, BIT(BA_IFNAME), BIT(BA_VNET_HDR) },
	{ BROKER_REP_ERROR, BIT(BA_CODE) | BIT(BA_TEXT), 0 },
	{ BROKER_REP_LEASE, BIT(BA_IFNAME) | BIT(BA_UID) | BIT(BA_USER) |
	  BIT(BA_NAME) | BIT(BA_PID) | BIT(BA_SINCE),
	  BIT(BA_BRIDGE) | BIT(BA_VLAN) | BIT(BA_INBOUND) | BIT(BA_OUTBOUND) },
	{ BROKER_REP_CHECK, BIT(BA_ALLOWED) | BIT(BA_TEXT), 0 },
	{ BROKER_REP_NETWORK, BIT(BA_NAME) | BIT(BA_MODE),
	  BIT(BA_BRIDGE) | BIT(BA_TEXT) | BIT(BA_COUNT) | BIT(BA_LIMIT) |
	  BIT(BA_ALLOWED) | BIT(BA_ADDRESS) | BIT(BA_RULES) |
	  BIT(BA_DNSMASQ_PID) | BIT(BA_DHCP_LEASES) },
	{ BROKER_REP_END, 0, 0 },
};

/**
 * type_spec_of() - the spec of a message type
 * @type:	message type
 *
 * Return: its spec, or NULL for an unknown type.
 */
static const struct type_spec *type_spec_of(uint16_t type)
{
	for (size_t i = 0; i < G_N_ELEMENTS(type_specs); i++)
		if (type_specs[i].type == type)
			return &type_specs[i];
	return NULL;
}

/**
 * broker_msg_init() - an empty message of @type
 * @msg:	message
 * @type:	enum broker_msg_type
 */
void broker_msg_init(struct broker_msg *msg, uint16_t type)
{
	memset(msg, 0, sizeof(*msg));
	msg->type = type;
}

/**
 * broker_msg_set_str() - set a string attribute; never cut
 * @msg:	message
 * @attr:	a string attribute
 * @value:	its value
 *
 * A name cut to the attribute's bound would be another name (a 20-byte
 * --br cut to 15 is a bridge direct mode refuses): a value longer than
 * the bound leaves the attribute unset and is refused here.
 *
 * Return: false, with @msg unchanged, when @value is longer than the
 * attribute's bound.
 */
bool broker_msg_set_str(struct broker_msg *msg, enum broker_attr attr,
			const char *value)
{
	const struct attr_spec *spec = &attr_specs[attr];

	g_return_val_if_fail(spec->kind == ATTR_STR, false);
	if (strlen(value) > spec->max)
		return false;
	g_strlcpy((char *)msg + spec->offset, value, spec->max + 1);
	msg->present |= BIT(attr);
	return true;
}

/**
 * broker_msg_set_text() - set BA_TEXT, a line for people, cut to its bound
 * @msg:	message
 * @text:	the text; cut at a character boundary when longer than
 *		BROKER_TEXT_MAX bytes (the only attribute that may be cut:
 *		nothing decides on it)
 */
void broker_msg_set_text(struct broker_msg *msg, const char *text)
{
	const char *end = text + strlen(text);

	if (end - text > BROKER_TEXT_MAX) {
		end = text + BROKER_TEXT_MAX;
		/* never half a UTF-8 sequence */
		while (end > text && ((unsigned char)*end & 0xc0) == 0x80)
			end--;
	}
	memcpy(msg->text, text, (size_t)(end - text));
	msg->text[end - text] = '\0';
	msg->present |= BIT(BA_TEXT);
}

/**
 * broker_msg_set_u32() - set a u8 or u32 attribute
 * @msg:	message
 * @attr:	a number attribute of at most 32 bits
 * @value:	its value (u8 attributes take 0 or 1)
 */
void broker_msg_set_u32(struct broker_msg *msg, enum broker_attr attr,
			uint32_t value)
{
	const struct attr_spec *spec = &attr_specs[attr];

	if (spec->kind == ATTR_U8)
		*(bool *)((char *)msg + spec->offset) = value != 0;
	else if (spec->kind == ATTR_U32)
		*(uint32_t *)((char *)msg + spec->offset) = value;
	else
		g_return_if_reached();
	msg->present |= BIT(attr);
}

/**
 * broker_msg_set_u64() - set a u64 attribute
 * @msg:	message
 * @attr:	a 64-bit attribute
 * @value:	its value
 */
void broker_msg_set_u64(struct broker_msg *msg, enum broker_attr attr,
			uint64_t value)
{
	const struct attr_spec *spec = &attr_specs[attr];

	g_return_if_fail(spec->kind == ATTR_U64);
	memcpy((char *)msg + spec->offset, &value, sizeof(value));
	msg->present |= BIT(attr);
}

/**
 * put() - append bytes if they fit
 * @buf:	buffer
 * @size:	its size
 * @pos:	write position, advanced (even past @size, to detect overflow)
 * @data:	bytes
 * @len:	how many
 */
static void put(uint8_t *buf, size_t size, size_t *pos, const void *data,
		size_t len)
{
	if (*pos + len <= size)
		memcpy(buf + *pos, data, len);
	*pos += len;
}

/**
 * broker_msg_encode() - the wire form of @msg
 * @msg:	message; only its present attributes are written
 * @buf:	output
 * @size:	room in @buf (BROKER_MSG_MAX is always enough)
 *
 * Return: the length written, or 0 when it does not fit.
 */
size_t broker_msg_encode(const struct broker_msg *msg, uint8_t *buf,
			 size_t size)
{
	uint32_t magic = BROKER_MAGIC, total;
	uint16_t version = BROKER_PROTOCOL_VERSION;
	size_t pos = BROKER_HEADER_SIZE;

	for (uint16_t attr = 1; attr < BA__COUNT; attr++) {
		const struct attr_spec *spec = &attr_specs[attr];
		const char *field = (const char *)msg + spec->offset;
		uint8_t u8 = 0;
		uint16_t len;

		if (!BROKER_HAS(msg, attr))
			continue;
		switch (spec->kind) {
		case ATTR_STR:
			len = (uint16_t)strnlen(field, spec->max);
			break;
		case ATTR_U8:
			len = 1;
			u8 = *(const bool *)field;
			field = (const char *)&u8;
			break;
		case ATTR_U32:
			len = 4;
			break;
		default:
			len = 8;
			break;
		}
		put(buf, size, &pos, &attr, 2);
		put(buf, size, &pos, &len, 2);
		put(buf, size, &pos, field, len);
	}
	if (pos > size || pos > BROKER_MSG_MAX)
		return 0;
	total = (uint32_t)pos;
	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &version, 2);
	memcpy(buf + 6, &msg->type, 2);
	memcpy(buf + 8, &total, 4);
	return pos;
}

/**
 * decode_attr() - check and store one attribute's value
 * @msg:	message being decoded
 * @attr:	attribute
 * @value:	its bytes
 * @len:	their number
 * @error:	set when malformed
 *
 * Return: true when well formed.
 */
static bool decode_attr(struct broker_msg *msg, uint16_t attr,
			const uint8_t *value, uint16_t len, GError **error)
{
	const struct attr_spec *spec = &attr_specs[attr];
	char *field = (char *)msg + spec->offset;

	switch (spec->kind) {
	case ATTR_STR:
		if (len == 0 || len > spec->max || memchr(value, '\0', len)) {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "malformed message: attribute %u: a string of 1 to %zu bytes without NUL expected, got %u bytes",
				    attr, spec->max, len);
			return false;
		}
		memcpy(field, value, len);
		field[len] = '\0';
		return true;
	case ATTR_U8:
		if (len != 1 || value[0] > 1)
			break;
		*(bool *)field = value[0];
		return true;
	case ATTR_U32:
		if (len != 4)
			break;
		memcpy(field, value, 4);
		return true;
	case ATTR_U64:
		if (len != 8)
			break;
		memcpy(field, value, 8);
		return true;
	}
	g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
		    "malformed message: attribute %u has a bad value (%u bytes)",
		    attr, len);
	return false;
}

/**
 * broker_msg_decode() - check and decode one received message
 * @buf:	the datagram
 * @len:	its length
 * @msg:	filled in
 * @error:	set when malformed (TW_ERROR_INVALID)
 *
 * Return: true when @buf is a well-formed message of this version.
 */
bool broker_msg_decode(const uint8_t *buf, size_t len, struct broker_msg *msg,
		       GError **error)
{
	const struct type_spec *ts;
	uint32_t magic, total;
	uint16_t version, type;
	size_t pos = BROKER_HEADER_SIZE;

	if (len < BROKER_HEADER_SIZE || len > BROKER_MSG_MAX) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: %zu bytes (from %d to %d expected)",
			    len, BROKER_HEADER_SIZE, BROKER_MSG_MAX);
		return false;
	}
	memcpy(&magic, buf, 4);
	memcpy(&version, buf + 4, 2);
	memcpy(&type, buf + 6, 2);
	memcpy(&total, buf + 8, 4);
	if (magic != BROKER_MAGIC) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: not a tapwarden message");
		return false;
	}
	if (version != BROKER_PROTOCOL_VERSION) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "protocol version %u is not spoken here (version %d is)",
			    version, BROKER_PROTOCOL_VERSION);
		return false;
	}
	if (total != len) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: says %u bytes, has %zu", total,
			    len);
		return false;
	}
	ts = type_spec_of(type);
	if (!ts) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: unknown type %u", type);
		return false;
	}
	broker_msg_init(msg, type);
	while (pos < len) {
		uint16_t attr, alen;

		if (len - pos < 4) {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "malformed message: truncated attribute header");
			return false;
		}
		memcpy(&attr, buf + pos, 2);
		memcpy(&alen, buf + pos + 2, 2);
		pos += 4;
		if (alen > len - pos) {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "malformed message: attribute %u is truncated",
				    attr);
			return false;
		}
		if (attr == 0 || attr >= BA__COUNT ||
		    !((ts->required | ts->optional) & BIT(attr))) {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "malformed message: attribute %u not allowed in type %u",
				    attr, type);
			return false;
		}
		if (msg->present & BIT(attr)) {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "malformed message: attribute %u twice",
				    attr);
			return false;
		}
		if (!decode_attr(msg, attr, buf + pos, alen, error))
			return false;
		msg->present |= BIT(attr);
		pos += alen;
	}
	if ((msg->present & ts->required) != ts->required) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: type %u lacks a required attribute",
			    type);
		return false;
	}
	return true;
}
