/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay_main.c - run a fuzz target over saved inputs, without libFuzzer.
 *
 * Usage: replay-NAME PATH...  Each PATH is a file, or a directory whose
 * files are replayed in name order. Every input is one call of
 * LLVMFuzzerTestOneInput(); a broken invariant aborts there. This is how
 * the seed corpus and every saved crash become a regression test in every
 * build, whatever the compiler. Built with AddressSanitizer, it also checks
 * for leaks after each input. Exit status: 0 when at least one input ran
 * and none aborted or leaked, 1 when nothing was found to replay.
 */
#include <string.h>
#include <glib.h>

#include "fuzz.h"

#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif

#ifdef REPLAY_ASAN
#include <sanitizer/lsan_interface.h>

const char *__asan_default_options(void);

/* __asan_default_options() - whole stacks through GLib in leak reports
 * (the fast unwinder stops at the first library without frame pointers) */
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}
#endif

/**
 * replay_file() - feed one file to the target
 * @path:	the file
 */
static void replay_file(const char *path)
{
	g_autofree char *data = NULL;
	GError *error = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		fprintf(stderr, "replay: %s\n", error->message);
		exit(EXIT_FAILURE);
	}
	/* libFuzzer hands each input in a buffer of its exact size, so that
	 * AddressSanitizer sees a read past its end */
	g_autofree uint8_t *copy = g_malloc(len ? len : 1);
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
#ifdef REPLAY_ASAN
	/* name the input that leaked, not only the run */
	if (__lsan_do_recoverable_leak_check()) {
		fprintf(stderr, "replay: %s leaks memory\n", path);
		exit(EXIT_FAILURE);
	}
#endif
}

/* compare_names() - GPtrArray sort: by file name */
static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char *argv[])
{
	unsigned int count = 0;

	for (int i = 1; i < argc; i++) {
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
		GError *error = NULL;
		const char *name;
		GDir *dir;

		if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			replay_file(argv[i]);
			count++;
			continue;
		}
		dir = g_dir_open(argv[i], 0, &error);
		if (!dir) {
			fprintf(stderr, "replay: %s\n", error->message);
			return EXIT_FAILURE;
		}
		while ((name = g_dir_read_name(dir)))
			if (name[0] != '.')
				g_ptr_array_add(names, g_build_filename(argv[i], name, NULL));
		g_dir_close(dir);
		g_ptr_array_sort(names, compare_names);
		for (unsigned int j = 0; j < names->len; j++) {
			printf("replay %s\n", (char *)names->pdata[j]);
			fflush(stdout);
			replay_file(names->pdata[j]);
			count++;
		}
	}
	printf("replayed %u inputs\n", count);
	return count ? EXIT_SUCCESS : EXIT_FAILURE;
}
