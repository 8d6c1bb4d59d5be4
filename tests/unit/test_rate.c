/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rate.c - `RATE[:BURST]' in tc's units (policy/rate.c): what is
 * accepted and what it is worth, every refusal with its reason, and the
 * rule that a caller may only lower a network's rate.
 */
#include <string.h>

#include "error.h"
#include "rate.h"

/* assert_rate() - @text parses to @bits and @burst (MTU 1500) */
static void assert_rate(const char *text, uint64_t bits, uint32_t burst)
{
	GError *error = NULL;
	struct qos_rate r;

	if (!rate_parse(text, RATE_DEFAULT_MTU, &r, &error))
		g_error("`%s' refused: %s", text, error->message);
	g_assert_cmpuint(r.rate, ==, bits);
	g_assert_cmpuint(r.burst, ==, burst);
}

/* assert_refused() - @text is refused (MTU @mtu) with @reason in the text */
static void assert_refused(const char *text, unsigned int mtu,
			   const char *reason)
{
	GError *error = NULL;
	struct qos_rate r = { .rate = 7, .burst = 7 };

	if (rate_parse(text, mtu, &r, &error))
		g_error("`%s' accepted as %" G_GUINT64_FORMAT, text,
			(guint64)r.rate);
	g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
	if (!strstr(error->message, reason))
		g_error("`%s' not in `%s'", reason, error->message);
	g_assert_null(strchr(error->message, '\n'));
	g_error_free(error);
}

static void test_tc_bit_units_are_accepted_in_any_case(void)
{
	assert_rate("1kbit", 1000, 0);
	assert_rate("100mbit", 100000000, 0);
	assert_rate("100Mbit", 100000000, 0);
	assert_rate("1GBIT", 1000000000, 0);
	assert_rate("100gbit", 100000000000ull, 0);
	assert_rate("1.5mbit", 1500000, 0);
	assert_rate("0.25gbit", 250000000, 0);
	assert_rate("2.5mbit", 2500000, 0);
}

static void test_burst_takes_b_kb_mb_as_tc_does(void)
{
	assert_rate("100mbit:64kb", 100000000, 65536);
	assert_rate("100mbit:1mb", 100000000, 1048576);
	assert_rate("10mbit:1500b", 10000000, 1500);
	assert_rate("10mbit:1.5kb", 10000000, 1536);
	assert_rate("1gbit:64mb", 1000000000, 64u << 20);
	assert_rate("10mbit:32KB", 10000000, 32768);
}

static void test_zero_and_negative_are_refused(void)
{
	assert_refused("0mbit", 1500, "`0mbit' is zero");
	assert_refused("0.0kbit", 1500, "is zero");
	assert_refused("-5mbit", 1500, "`-5mbit' is negative");
	assert_refused("10mbit:-64kb", 1500, "burst `-64kb' is negative");
	assert_refused("0.1kbit", 1500, "below the smallest rate, 1kbit");
}

static void test_units_tc_would_misread_are_refused_with_the_reason(void)
{
	assert_refused("100", 1500, "`100' has no unit");
	assert_refused("100", 1500, "tc reads a bare number as bytes per second");
	assert_refused("100kbps", 1500, "tc reads kbps as bytes per second");
	assert_refused("1Mbps", 1500, "tc reads mbps as bytes per second");
	assert_refused("10bps", 1500, "bytes per second");
}

static void test_unknown_units_and_malformed_numbers_are_refused(void)
{
	assert_refused("100mb", 1500, "unknown unit `mb'");
	assert_refused("100 mbit", 1500, "unknown unit ` mbit'");
	assert_refused("10kibit", 1500, "unknown unit `kibit'");
	assert_refused("fast", 1500, "`fast' is not a rate");
	assert_refused("", 1500, "empty");
	assert_refused(".5mbit", 1500, "is not a rate");
	assert_refused("1.mbit", 1500, "is not a rate");
	assert_refused("1e9kbit", 1500, "unknown unit `e9kbit'");
	assert_refused("+5mbit", 1500, "is not a rate");
	assert_refused("10mbit:", 1500, "burst `' is not a size");
	assert_refused("10mbit:64", 1500, "burst `64' has no unit");
	assert_refused("10mbit:64kbit", 1500, "burst `64kbit' has an unknown unit");
	assert_refused("10mbit:64kb:1", 1500, "unknown unit");
	assert_refused("1234567890123456mbit", 1500, "is not a rate");
}

static void test_rates_above_100gbit_are_refused(void)
{
	assert_refused("101gbit", 1500, "above the largest rate, 100gbit");
	assert_refused("100.000000001gbit", 1500, "above the largest rate");
	assert_refused("100001mbit", 1500, "above the largest rate");
	assert_refused("999999999999999gbit", 1500, "above the largest rate");
}

static void test_bursts_below_one_mtu_or_too_big_are_refused(void)
{
	assert_refused("10mbit:1kb", 1500, "burst `1kb' is smaller than one MTU (1500 bytes)");
	assert_refused("10mbit:1499b", 1500, "smaller than one MTU");
	assert_refused("10mbit:8kb", 9000, "smaller than one MTU (9000 bytes)");
	assert_refused("10mbit:65mb", 1500, "above the largest burst, 64mb");
	assert_refused("1kbit:64kb", 1500, "takes more than 60 s to drain");
}

static void test_format_shows_the_largest_exact_unit(void)
{
	const struct {
		uint64_t bits;
		const char *text;
	} cases[] = {
		{ 100000000, "100mbit" }, { 1000000000, "1gbit" },
		{ 2500000, "2500kbit" }, { 100000000000ull, "100gbit" },
		{ 1000, "1kbit" }, { 1234, "1234bit" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = rate_format(cases[i].bits);

		g_assert_cmpstr(text, ==, cases[i].text);
	}
}

static void test_caller_may_lower_a_rate_never_raise_it(void)
{
	struct qos_limits net = {
		.inbound = { .rate = 100000000, .burst = 65536 },
		.outbound = { .rate = 10000000 },
	};
	struct qos_limits l = net;
	GError *error = NULL;

	g_assert_true(rate_narrow(&l, 20000000, 0, "lab", &error));
	g_assert_cmpuint(l.inbound.rate, ==, 20000000);
	g_assert_cmpuint(l.inbound.burst, ==, 65536);
	g_assert_cmpuint(l.outbound.rate, ==, 10000000);
	/* the same rate is no raise */
	l = net;
	g_assert_true(rate_narrow(&l, 100000000, 10000000, "lab", &error));
	g_assert_no_error(error);

	l = net;
	g_assert_false(rate_narrow(&l, 0, 20000000, "lab", &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_DENIED);
	g_assert_cmpstr(error->message, ==,
			"--outbound=20mbit is above network lab's outbound rate (10mbit): a caller may only ask for less");
	g_clear_error(&error);
	/* nothing changes on a refusal, not even the direction that was fine */
	g_assert_false(rate_narrow(&l, 1000000, 20000000, "lab", &error));
	g_clear_error(&error);
	g_assert_cmpmem(&l, sizeof(l), &net, sizeof(net));
}

static void test_unlimited_network_takes_any_rate_in_range(void)
{
	struct qos_limits l = { 0 };
	GError *error = NULL;

	g_assert_true(rate_narrow(&l, 5000000, 0, "lab", &error));
	g_assert_cmpuint(l.inbound.rate, ==, 5000000);
	g_assert_cmpuint(l.outbound.rate, ==, 0);
	/* a broker gets raw numbers from its clients: out of range is refused */
	g_assert_false(rate_narrow(&l, 0, QOS_RATE_MAX + 1, "lab", &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(rate_narrow(&l, 999, 0, "lab", &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
	g_clear_error(&error);
}

static void test_network_burst_is_cut_to_a_minute_at_a_lower_rate(void)
{
	struct qos_limits l = {
		.inbound = { .rate = 1000000000, .burst = 64u << 20 },
	};
	GError *error = NULL;

	g_assert_true(rate_narrow(&l, 1000000, 0, "lab", &error));
	g_assert_cmpuint(l.inbound.burst, ==, 1000000 / 8 * 60);
}

static void test_default_burst_is_4ms_and_two_frames_at_least(void)
{
	g_assert_cmpuint(qos_default_burst(100000000, 1500), ==, 50000);
	g_assert_cmpuint(qos_default_burst(10000000, 1500), ==, 5000);
	g_assert_cmpuint(qos_default_burst(1000000, 1500), ==, 2 * 1514);
	g_assert_cmpuint(qos_default_burst(1000000, 9000), ==, 2 * 9014);
	g_assert_cmpuint(qos_default_burst(QOS_RATE_MAX, 1500), ==,
			 50000000);
}

static void test_ifb_name_is_derived_from_the_tap_and_never_a_tap_name(void)
{
	char ifb[IFNAMSIZ];

	g_assert_true(qos_ifb_name("tw0", ifb));
	g_assert_cmpstr(ifb, ==, "twi0");
	g_assert_true(qos_ifb_name("tw123456789012", ifb));
	g_assert_cmpstr(ifb, ==, "twi123456789012");
	g_assert_false(qos_ifb_name("tw1234567890123", ifb));	/* too long */
	g_assert_false(qos_ifb_name("twv100", ifb));
	g_assert_false(qos_ifb_name("tw", ifb));
	g_assert_false(qos_ifb_name("eth0", ifb));
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rate/tc-bit-units-are-accepted-in-any-case",
			test_tc_bit_units_are_accepted_in_any_case);
	g_test_add_func("/rate/burst-takes-b-kb-mb-as-tc-does",
			test_burst_takes_b_kb_mb_as_tc_does);
	g_test_add_func("/rate/zero-and-negative-are-refused",
			test_zero_and_negative_are_refused);
	g_test_add_func("/rate/units-tc-would-misread-are-refused-with-the-reason",
			test_units_tc_would_misread_are_refused_with_the_reason);
	g_test_add_func("/rate/unknown-units-and-malformed-numbers-are-refused",
			test_unknown_units_and_malformed_numbers_are_refused);
	g_test_add_func("/rate/rates-above-100gbit-are-refused",
			test_rates_above_100gbit_are_refused);
	g_test_add_func("/rate/bursts-below-one-mtu-or-too-big-are-refused",
			test_bursts_below_one_mtu_or_too_big_are_refused);
	g_test_add_func("/rate/format-shows-the-largest-exact-unit",
			test_format_shows_the_largest_exact_unit);
	g_test_add_func("/rate/caller-may-lower-a-rate-never-raise-it",
			test_caller_may_lower_a_rate_never_raise_it);
	g_test_add_func("/rate/unlimited-network-takes-any-rate-in-range",
			test_unlimited_network_takes_any_rate_in_range);
	g_test_add_func("/rate/network-burst-is-cut-to-a-minute-at-a-lower-rate",
			test_network_burst_is_cut_to_a_minute_at_a_lower_rate);
	g_test_add_func("/rate/default-burst-is-4ms-and-two-frames-at-least",
			test_default_burst_is_4ms_and_two_frames_at_least);
	g_test_add_func("/rate/ifb-name-is-derived-from-the-tap-and-never-a-tap-name",
			test_ifb_name_is_derived_from_the_tap_and_never_a_tap_name);
	return g_test_run();
}
