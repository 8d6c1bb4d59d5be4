/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rate.c - `RATE[:BURST]' in tc's units, and narrowing a network's limits.
 *
 * A rate is a decimal number (a fraction is allowed: 1.5mbit) and one of
 * tc's bit units, any case: kbit (1000 bit/s), mbit (10^6), gbit (10^9).
 * What tc also takes but people misread is refused with the reason: a bare
 * number (tc: bytes per second), bps/kbps/mbps/gbps (tc: BYTES per
 * second). A burst is a number and b, kb (1024 bytes) or mb (1024 kb), as
 * tc's sizes. Refused: zero, negative numbers, unknown units, rates below
 * 1kbit or above 100gbit, bursts smaller than one MTU (the network's, else
 * 1500) or above 64mb, and bursts that would take more than a minute to
 * drain at the rate (HTB keeps that time in 32 bits).
 *
 * rate_narrow() is the caller's side: a helper option (--inbound=RATE)
 * may lower the network's rate, never raise it.
 */
#include "rate.h"

#include <string.h>

#include "error.h"

/**
 * struct unit - one accepted unit
 * @name:	as written (compared without case)
 * @scale:	what one of it is worth (bits/s or bytes)
 */
struct unit {
	const char *name;
	uint64_t scale;
};

static const struct unit rate_units[] = {
	{ "kbit", 1000ull }, { "mbit", 1000000ull }, { "gbit", 1000000000ull },
	{ NULL, 0 },
};
static const struct unit burst_units[] = {
	{ "b", 1 }, { "kb", 1024 }, { "mb", 1024 * 1024 }, { NULL, 0 },
};
/* tc's byte-per-second rate units: refused, with the reason */
static const char *const byte_rate_units[] = {
	"bps", "kbps", "mbps", "gbps", "tbps", NULL,
};

/* Digits accepted before and after the decimal point */
#define RATE_INT_DIGITS 15
#define RATE_FRAC_DIGITS 9

/**
 * struct decimal - a parsed non-negative decimal number
 * @whole:	the integer part
 * @frac:	the fraction's digits as a number
 * @frac_den:	10^(number of fraction digits)
 * @unit:	the text after the number
 */
struct decimal {
	uint64_t whole;
	uint64_t frac;
	uint64_t frac_den;
	const char *unit;
};

/**
 * parse_decimal() - DIGITS[.DIGITS] at the start of @text
 * @text:	the text
 * @out:	filled in
 *
 * Return: false when @text does not start with such a number.
 */
static bool parse_decimal(const char *text, struct decimal *out)
{
	size_t n = strspn(text, "0123456789"), f = 0;

	*out = (struct decimal){ .frac_den = 1 };
	if (n == 0 || n > RATE_INT_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		out->whole = out->whole * 10 + (uint64_t)(text[i] - '0');
	text += n;
	if (*text == '.') {
		text++;
		f = strspn(text, "0123456789");
		if (f == 0 || f > RATE_FRAC_DIGITS)
			return false;
		for (size_t i = 0; i < f; i++) {
			out->frac = out->frac * 10 + (uint64_t)(text[i] - '0');
			out->frac_den *= 10;
		}
		text += f;
	}
	out->unit = text;
	return true;
}

/**
 * find_unit() - the unit called @name
 * @units:	table, ended by a NULL name
 * @name:	the text after a number
 *
 * Return: the unit, or NULL.
 */
static const struct unit *find_unit(const struct unit *units, const char *name)
{
	for (; units->name; units++)
		if (!g_ascii_strcasecmp(units->name, name))
			return units;
	return NULL;
}

/**
 * scaled() - @d times @scale, if it is at most @max
 * @d:		number
 * @scale:	unit
 * @max:	largest result
 * @out:	set to the result, rounded down
 *
 * Return: false when the result is above @max.
 */
static bool scaled(const struct decimal *d, uint64_t scale, uint64_t max,
		   uint64_t *out)
{
	uint64_t frac_part;

	if (d->whole > max / scale)
		return false;
	/* frac < 10^9 and scale <= 10^9: no overflow */
	frac_part = d->frac * scale / d->frac_den;
	*out = d->whole * scale + frac_part;
	return *out <= max;
}

/**
 * rate_parse_bits() - a rate: NUMBER and kbit, mbit or gbit
 * @text:	the text
 * @bits:	set to bits per second
 * @error:	set with the reason when @text is no acceptable rate
 *
 * Return: true on success.
 */
bool rate_parse_bits(const char *text, uint64_t *bits, GError **error)
{
	g_autofree char *shown = g_strescape(text, NULL);
	struct decimal d;

	if (!*text) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "empty: write a rate such as 100mbit");
		return false;
	}
	if (text[0] == '-') {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is negative: a rate is 1kbit to 100gbit",
			    shown);
		return false;
	}
	if (!parse_decimal(text, &d)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is not a rate: write a number and kbit, mbit or gbit (100mbit)",
			    shown);
		return false;
	}
	if (!*d.unit) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' has no unit: write kbit, mbit or gbit (tc reads a bare number as bytes per second)",
			    shown);
		return false;
	}
	for (unsigned int i = 0; byte_rate_units[i]; i++) {
		if (!g_ascii_strcasecmp(d.unit, byte_rate_units[i])) {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "`%s': tc reads %s as bytes per second; write kbit, mbit or gbit",
				    shown, byte_rate_units[i]);
			return false;
		}
	}
	if (!find_unit(rate_units, d.unit)) {
		g_autofree char *unit = g_strescape(d.unit, NULL);

		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' has an unknown unit `%s': write kbit, mbit or gbit",
			    shown, unit);
		return false;
	}
	if (!scaled(&d, find_unit(rate_units, d.unit)->scale, QOS_RATE_MAX,
		    bits)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is above the largest rate, 100gbit", shown);
		return false;
	}
	if (*bits == 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is zero: leave the key out for no limit",
			    shown);
		return false;
	}
	if (*bits < QOS_RATE_MIN) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is below the smallest rate, 1kbit", shown);
		return false;
	}
	return true;
}

/**
 * parse_burst() - a burst: NUMBER and b, kb or mb
 * @text:	the text after the colon
 * @mtu:	smallest burst
 * @rate:	the rate it goes with, bits per second
 * @burst:	set to bytes
 * @error:	set with the reason
 *
 * Return: true on success.
 */
static bool parse_burst(const char *text, unsigned int mtu, uint64_t rate,
			uint32_t *burst, GError **error)
{
	g_autofree char *shown = g_strescape(text, NULL);
	const struct unit *unit;
	struct decimal d;
	uint64_t bytes;

	if (text[0] == '-') {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "burst `%s' is negative", shown);
		return false;
	}
	if (!parse_decimal(text, &d)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "burst `%s' is not a size: write a number and b, kb or mb (32kb)",
			    shown);
		return false;
	}
	unit = find_unit(burst_units, d.unit);
	if (!unit) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "burst `%s' has %s unit: write b, kb or mb",
			    shown, *d.unit ? "an unknown" : "no");
		return false;
	}
	if (!scaled(&d, unit->scale, QOS_BURST_MAX, &bytes)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "burst `%s' is above the largest burst, 64mb",
			    shown);
		return false;
	}
	if (bytes < mtu) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "burst `%s' is smaller than one MTU (%u bytes)",
			    shown, mtu);
		return false;
	}
	if (bytes * 8 / rate > QOS_BURST_SECONDS_MAX) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "burst `%s' takes more than %d s to drain at this rate",
			    shown, QOS_BURST_SECONDS_MAX);
		return false;
	}
	*burst = (uint32_t)bytes;
	return true;
}

/**
 * rate_parse() - `RATE[:BURST]', as `inbound' and `outbound' take it
 * @text:	the value
 * @mtu:	the network's MTU (RATE_DEFAULT_MTU when it sets none)
 * @out:	filled in; burst 0 when none is given (the default)
 * @error:	set with the reason (no file or key: the caller adds them)
 *
 * Return: true on success.
 */
bool rate_parse(const char *text, unsigned int mtu, struct qos_rate *out,
		GError **error)
{
	g_autofree char *rate = g_strdup(text);
	char *colon = strchr(rate, ':');

	*out = (struct qos_rate){ 0 };
	if (colon)
		*colon = '\0';
	if (!rate_parse_bits(rate, &out->rate, error))
		return false;
	return !colon ||
	       parse_burst(colon + 1, mtu, out->rate, &out->burst, error);
}

/**
 * rate_format() - a rate in the largest unit that shows it exactly
 * @bits:	bits per second
 *
 * Return: a new string such as "100mbit".
 */
char *rate_format(uint64_t bits)
{
	if (bits && bits % 1000000000ull == 0)
		return g_strdup_printf("%" G_GUINT64_FORMAT "gbit",
				       (guint64)(bits / 1000000000ull));
	if (bits && bits % 1000000ull == 0)
		return g_strdup_printf("%" G_GUINT64_FORMAT "mbit",
				       (guint64)(bits / 1000000ull));
	if (bits && bits % 1000ull == 0)
		return g_strdup_printf("%" G_GUINT64_FORMAT "kbit",
				       (guint64)(bits / 1000ull));
	return g_strdup_printf("%" G_GUINT64_FORMAT "bit", (guint64)bits);
}

/**
 * narrow_one() - apply a caller's rate to one direction
 * @limit:	the network's limit, lowered on success
 * @asked:	the caller's rate, bits per second; 0 for none
 * @option:	"inbound" or "outbound"
 * @network:	the network's name, for the message
 * @error:	set when @asked is out of range or above the network's
 *
 * Return: true on success.
 */
static bool narrow_one(struct qos_rate *limit, uint64_t asked,
		       const char *option, const char *network,
		       GError **error)
{
	g_autofree char *shown = rate_format(asked);
	g_autofree char *allowed = rate_format(limit->rate);

	if (!asked)
		return true;
	if (asked < QOS_RATE_MIN || asked > QOS_RATE_MAX) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "--%s=%s is not a rate from 1kbit to 100gbit",
			    option, shown);
		return false;
	}
	if (limit->rate && asked > limit->rate) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "--%s=%s is above network %s's %s rate (%s): a caller may only ask for less",
			    option, shown, network, option, allowed);
		return false;
	}
	limit->rate = asked;
	/* the network's burst may last too long at a lower rate */
	if (limit->burst &&
	    limit->burst * 8ull / asked > QOS_BURST_SECONDS_MAX)
		limit->burst = (uint32_t)(asked / 8 * QOS_BURST_SECONDS_MAX);
	return true;
}

/**
 * rate_narrow() - lower a network's limits to what the caller asks
 * @limits:	the network's limits; changed only on success
 * @inbound:	--inbound, bits per second; 0 when not given
 * @outbound:	--outbound, bits per second; 0 when not given
 * @network:	the network's name, for the message
 * @error:	set when a rate is above the network's (TW_ERROR_DENIED) or
 *		out of range
 *
 * A network without a limit takes any rate the caller asks for. The
 * network's burst stays.
 *
 * Return: true on success.
 */
bool rate_narrow(struct qos_limits *limits, uint64_t inbound,
		 uint64_t outbound, const char *network, GError **error)
{
	struct qos_limits narrowed = *limits;

	if (!narrow_one(&narrowed.inbound, inbound, "inbound", network,
			error) ||
	    !narrow_one(&narrowed.outbound, outbound, "outbound", network,
			error))
		return false;
	*limits = narrowed;
	return true;
}
