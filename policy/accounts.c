/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * accounts.c - users and groups by name and number (NSS).
 *
 * access.c asks here, never libc. By default the answer is libc's
 * (getpwnam(), getgrnam(), getgrouplist(): whatever nsswitch.conf says).
 * The broker instead starts a lookup process before it confines itself
 * (accounts_start_lookup_process()), and every question then goes over a
 * socket pair to that process. NSS reads /etc/passwd and /etc/group on
 * every lookup, and every edit of them replaces the file (a rename), so a
 * confined process could only keep reading them with a Landlock rule on
 * all of /etc — and a broker running as root could then read /etc/shadow.
 * The lookup process runs as nobody with no capability, so the kernel's
 * file permissions keep it (and the broker, which has no /etc rule) away
 * from the account secrets; it is confined like every other process
 * (confine_account_lookup()) and answers fixed-size questions only.
 *
 * It also says whose subordinate uid a uid is (/etc/subuid,
 * accounts_subuid_owner()), for qemu-helper/peer_account.c.
 *
 * A lookup that takes longer than LOOKUP_TIMEOUT_S fails closed for the
 * request that asked (its names do not resolve, so an allow-users or
 * allow-groups entry given by name grants nothing; numbers still work),
 * and so does every question until that late answer has come; then the
 * process is asked again (ask()). A lost lookup process (killed, or
 * answering garbage) fails every later question closed: it cannot be
 * started again by a confined broker.
 */
#include "accounts.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "confine.h"
#include "error.h"

#define LOOKUP_TIMEOUT_S 2

enum lookup_op {
	LOOKUP_USER_BY_NAME = 1,
	LOOKUP_USER_BY_UID,
	LOOKUP_GROUP_BY_NAME,
	LOOKUP_USER_GROUPS,
	LOOKUP_SUBUID_OWNER,
};

/**
 * struct lookup_request - one question to the lookup process
 * @seq:	sequence number, repeated in the answer
 * @op:		enum lookup_op
 * @id:		uid (USER_BY_UID, SUBUID_OWNER), primary gid (USER_GROUPS)
 * @name:	user or group name, NUL-terminated
 */
struct lookup_request {
	uint32_t seq;
	uint32_t op;
	uint32_t id;
	char name[256];
};

/**
 * struct lookup_reply - its answer
 * @seq:	the question's
 * @found:	1 when the account exists
 * @uid:	user id (users; SUBUID_OWNER: the range's owner)
 * @gid:	primary group (users), the group (groups)
 * @ngroups:	entries of @groups used (USER_GROUPS)
 * @name:	user name (users)
 * @groups:	the user's groups (USER_GROUPS)
 */
struct lookup_reply {
	uint32_t seq;
	uint32_t found;
	uint32_t uid;
	uint32_t gid;
	uint32_t ngroups;
	char name[256];
	uint32_t groups[ACCOUNTS_MAX_GROUPS];
};

static int lookup_fd = -1;
static uint32_t lookup_seq;
/* the question that timed out, while its answer has not come; or 0 */
static uint32_t late_seq;

/**
 * account_from_passwd() - fill @out from @pw
 * @pw:		libc's entry, or NULL
 * @out:	filled in
 *
 * Return: true when @pw is an entry whose name fits.
 */
static bool account_from_passwd(const struct passwd *pw, struct account *out)
{
	if (!pw || strlen(pw->pw_name) >= sizeof(out->name))
		return false;
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	g_strlcpy(out->name, pw->pw_name, sizeof(out->name));
	return true;
}

/**
 * local_groups() - @user's groups from libc
 * @user:	the user
 * @n:		set to their number
 *
 * Return: a newly allocated array (at least the primary group).
 */
static gid_t *local_groups(const struct account *user, size_t *n)
{
	int count = 64;
	gid_t *groups = g_new(gid_t, count);

	if (getgrouplist(user->name, user->gid, groups, &count) < 0) {
		groups = g_renew(gid_t, groups, count);
		if (getgrouplist(user->name, user->gid, groups, &count) < 0)
			count = 0;
	}
	*n = (size_t)MAX(count, 0);
	return groups;
}

/**
 * accounts_subuid_line_owner() - does one line of /etc/subuid give @uid,
 * and to whom
 * @line:	the line, without its newline
 * @uid:	a uid
 * @user:	set to the line's USER, newly allocated, when it does
 *
 * A line is `USER:FIRST:COUNT' (newuidmap's format), USER a name or a uid,
 * FIRST and COUNT decimal, COUNT at least 1; blanks around it are
 * ignored, anything else is no range.
 *
 * Return: true when FIRST <= @uid < FIRST + COUNT.
 */
bool accounts_subuid_line_owner(const char *line, uid_t uid, char **user)
{
	g_autofree char *copy = g_strstrip(g_strdup(line));
	g_auto(GStrv) field = g_strsplit(copy, ":", 4);
	guint64 first, count;

	/* the numbers plain digits: no blank, sign or other space inside the
	 * line, which g_ascii_string_to_unsigned() would let through */
	if (g_strv_length(field) != 3 || !field[0][0] ||
	    !g_ascii_isdigit(field[1][0]) || !g_ascii_isdigit(field[2][0]) ||
	    !g_ascii_string_to_unsigned(field[1], 10, 0, G_MAXUINT32, &first,
					NULL) ||
	    !g_ascii_string_to_unsigned(field[2], 10, 1, G_MAXUINT32, &count,
					NULL) ||
	    uid < first || uid - first >= count)
		return false;
	*user = g_strdup(field[0]);
	return true;
}

/**
 * local_subuid_owner() - whose /etc/subuid range @uid is in, with libc
 * @uid:	a uid
 * @owner:	set to the range's owner when found
 *
 * The first range holding @uid counts. A file that cannot be read has no
 * ranges.
 *
 * Return: true when @uid is in a range of a user that exists.
 */
static bool local_subuid_owner(uid_t uid, uid_t *owner)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(ACCOUNTS_SUBUID_FILE, &text, NULL, NULL))
		return false;
	lines = g_strsplit(text, "\n", -1);
	for (unsigned int i = 0; lines[i]; i++) {
		g_autofree char *user = NULL;
		struct account found;
		guint64 number;

		if (!accounts_subuid_line_owner(lines[i], uid, &user))
			continue;
		if (account_from_passwd(getpwnam(user), &found)) {
			*owner = found.uid;
			return true;
		}
		if (g_ascii_string_to_unsigned(user, 10, 0, G_MAXUINT32 - 1,
					       &number, NULL)) {
			*owner = (uid_t)number;
			return true;
		}
	}
	return false;
}

/**
 * reply_valid() - is @rep, @n bytes long, a well-formed answer
 * @rep:	the answer
 * @n:		its length
 *
 * Return: true when it is.
 */
static bool reply_valid(const struct lookup_reply *rep, ssize_t n)
{
	return n >= (ssize_t)offsetof(struct lookup_reply, groups) &&
	       rep->ngroups <= ACCOUNTS_MAX_GROUPS &&
	       (size_t)n == offsetof(struct lookup_reply, groups) +
			    rep->ngroups * sizeof(uint32_t) &&
	       memchr(rep->name, 0, sizeof(rep->name)) != NULL;
}

/**
 * lookup_lost() - the lookup process is gone: names fail closed from now
 * @why:	what happened
 */
static void lookup_lost(const char *why)
{
	g_warning("the account lookup process %s: user and group names no longer resolve",
		  why);
	close(lookup_fd);
	lookup_fd = -2;		/* asked no more: names fail closed */
}

/**
 * late_answer_arrived() - has the answer to the question that timed out
 * come since (then the process is asked again)
 * @rep:	room for answers; those that come are dropped
 *
 * Return: true when no question is outstanding any more; false when the
 * process is still busy with it (or gone).
 */
static bool late_answer_arrived(struct lookup_reply *rep)
{
	ssize_t n;

	while (late_seq) {
		n = recv(lookup_fd, rep, sizeof(*rep), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;	/* still busy: fail this one closed */
		if (n <= 0 || !reply_valid(rep, n)) {
			lookup_lost(n == 0 ? "exited" : "answers garbage");
			return false;
		}
		if (rep->seq == late_seq)
			late_seq = 0;
	}
	return true;
}

/**
 * ask() - a question to the lookup process
 * @req:	the question (its @seq is set here)
 * @rep:	the answer
 *
 * An answer slower than LOOKUP_TIMEOUT_S fails this question closed (its
 * name does not resolve), and every question after it until the late
 * answer comes, without waiting: one slow lookup (a slow NSS source)
 * costs the requests of that moment, never the name rules of every
 * request after it. A process that is gone fails every question closed.
 *
 * Return: true with an answer.
 */
static bool ask(struct lookup_request *req, struct lookup_reply *rep)
{
	ssize_t n;

	if (!late_answer_arrived(rep))
		return false;
	if (++lookup_seq == 0)	/* 0 is late_seq's "none" */
		lookup_seq = 1;
	req->seq = lookup_seq;
	n = send(lookup_fd, req, sizeof(*req), MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		goto slow;
	if (n != (ssize_t)sizeof(*req)) {
		lookup_lost("cannot be asked");
		return false;
	}
	do {	/* an answer that came too late to an earlier question */
		n = recv(lookup_fd, rep, sizeof(*rep), 0);
	} while ((n >= (ssize_t)sizeof(uint32_t) && rep->seq != req->seq) ||
		 (n < 0 && errno == EINTR));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		goto slow;
	if (!reply_valid(rep, n)) {
		lookup_lost(n == 0 ? "exited" : "does not answer");
		return false;
	}
	return true;
slow:
	late_seq = req->seq;
	g_warning("an account lookup took more than %d s: names do not resolve for this request",
		  LOOKUP_TIMEOUT_S);
	return false;
}

/**
 * ask_user() - USER_BY_NAME or USER_BY_UID
 * @op:		which
 * @name:	the name, or NULL
 * @uid:	the uid
 * @out:	filled in when found
 *
 * Return: true when found.
 */
static bool ask_user(enum lookup_op op, const char *name, uid_t uid,
		     struct account *out)
{
	struct lookup_request req = { .op = op, .id = uid };
	g_autofree struct lookup_reply *rep = g_new0(struct lookup_reply, 1);

	if (name && g_strlcpy(req.name, name, sizeof(req.name)) >=
	    sizeof(req.name))
		return false;
	if (!ask(&req, rep) || !rep->found)
		return false;
	out->uid = rep->uid;
	out->gid = rep->gid;
	g_strlcpy(out->name, rep->name, sizeof(out->name));
	return true;
}

/**
 * accounts_user_by_name() - getpwnam()
 * @name:	user name
 * @out:	filled in when found
 *
 * Return: true when found.
 */
bool accounts_user_by_name(const char *name, struct account *out)
{
	if (lookup_fd == -1)
		return account_from_passwd(getpwnam(name), out);
	return lookup_fd >= 0 && ask_user(LOOKUP_USER_BY_NAME, name, 0, out);
}

/**
 * accounts_user_by_uid() - getpwuid()
 * @uid:	user id
 * @out:	filled in when found
 *
 * Return: true when found.
 */
bool accounts_user_by_uid(uid_t uid, struct account *out)
{
	if (lookup_fd == -1)
		return account_from_passwd(getpwuid(uid), out);
	return lookup_fd >= 0 && ask_user(LOOKUP_USER_BY_UID, NULL, uid, out);
}

/**
 * accounts_group_by_name() - getgrnam()
 * @name:	group name
 * @gid:	set when found
 *
 * Return: true when found.
 */
bool accounts_group_by_name(const char *name, gid_t *gid)
{
	struct lookup_request req = { .op = LOOKUP_GROUP_BY_NAME };
	g_autofree struct lookup_reply *rep = NULL;

	if (lookup_fd == -1) {
		struct group *gr = getgrnam(name);

		if (gr)
			*gid = gr->gr_gid;
		return gr != NULL;
	}
	if (lookup_fd < 0 ||
	    g_strlcpy(req.name, name, sizeof(req.name)) >= sizeof(req.name))
		return false;
	rep = g_new0(struct lookup_reply, 1);
	if (!ask(&req, rep) || !rep->found)
		return false;
	*gid = rep->gid;
	return true;
}

/**
 * accounts_user_groups() - getgrouplist(): the groups a login of @user has
 * @user:	the user
 * @n:		set to their number
 *
 * Return: a newly allocated array (empty when unknown).
 */
gid_t *accounts_user_groups(const struct account *user, size_t *n)
{
	struct lookup_request req = { .op = LOOKUP_USER_GROUPS,
				      .id = user->gid };
	g_autofree struct lookup_reply *rep = NULL;
	gid_t *groups;

	if (lookup_fd == -1)
		return local_groups(user, n);
	*n = 0;
	g_strlcpy(req.name, user->name, sizeof(req.name));
	rep = g_new0(struct lookup_reply, 1);
	if (lookup_fd < 0 || !ask(&req, rep) || !rep->found)
		return g_new0(gid_t, 1);
	groups = g_new(gid_t, MAX(rep->ngroups, 1));
	for (uint32_t i = 0; i < rep->ngroups; i++)
		groups[i] = rep->groups[i];
	*n = rep->ngroups;
	return groups;
}

/**
 * accounts_subuid_owner() - the user whose subordinate uid @uid is
 * (/etc/subuid: newuidmap lets only that user map it)
 * @uid:	a uid
 * @owner:	set when it is one
 *
 * Return: 1 when @uid is subordinate, 0 when not, -1 when it cannot be
 * told (the lookup process is slow or gone: fail closed).
 */
int accounts_subuid_owner(uid_t uid, uid_t *owner)
{
	struct lookup_request req = { .op = LOOKUP_SUBUID_OWNER, .id = uid };
	g_autofree struct lookup_reply *rep = NULL;

	if (lookup_fd == -1)
		return local_subuid_owner(uid, owner);
	if (lookup_fd < 0)
		return -1;
	rep = g_new0(struct lookup_reply, 1);
	if (!ask(&req, rep))
		return -1;
	if (rep->found)
		*owner = rep->uid;
	return rep->found ? 1 : 0;
}

/**
 * lookup_answer() - the lookup process's answer to @req, with libc
 * @req:	the question
 * @rep:	the answer
 *
 * Return: the answer's length.
 */
static size_t lookup_answer(const struct lookup_request *req,
			    struct lookup_reply *rep)
{
	struct account user;
	gid_t gid;

	memset(rep, 0, offsetof(struct lookup_reply, groups));
	rep->seq = req->seq;
	if (!memchr(req->name, 0, sizeof(req->name)))
		return offsetof(struct lookup_reply, groups);
	switch (req->op) {
	case LOOKUP_USER_BY_NAME:
	case LOOKUP_USER_BY_UID:
		rep->found = req->op == LOOKUP_USER_BY_NAME ?
			     account_from_passwd(getpwnam(req->name), &user) :
			     account_from_passwd(getpwuid(req->id), &user);
		if (rep->found) {
			rep->uid = user.uid;
			rep->gid = user.gid;
			g_strlcpy(rep->name, user.name, sizeof(rep->name));
		}
		break;
	case LOOKUP_SUBUID_OWNER: {
		uid_t owner;

		rep->found = local_subuid_owner(req->id, &owner);
		rep->uid = rep->found ? owner : 0;
		break;
	}
	case LOOKUP_GROUP_BY_NAME:
		rep->found = accounts_group_by_name(req->name, &gid);
		rep->gid = rep->found ? gid : 0;
		break;
	case LOOKUP_USER_GROUPS: {
		struct account who = { .gid = req->id };
		g_autofree gid_t *groups = NULL;
		size_t n;

		g_strlcpy(who.name, req->name, sizeof(who.name));
		groups = local_groups(&who, &n);
		rep->found = 1;
		rep->ngroups = (uint32_t)MIN(n, ACCOUNTS_MAX_GROUPS);
		for (uint32_t i = 0; i < rep->ngroups; i++)
			rep->groups[i] = groups[i];
		break;
	}
	}
	return offsetof(struct lookup_reply, groups) +
	       rep->ngroups * sizeof(uint32_t);
}

/**
 * lookup_main() - the lookup process; never returns
 * @sock:	its end of the socket pair
 */
G_NORETURN static void lookup_main(int sock)
{
	struct passwd *nobody = getpwnam("nobody");
	uid_t uid = nobody ? nobody->pw_uid : 65534;
	gid_t gid = nobody ? nobody->pw_gid : 65534;
	/* static: the process ends in _exit() from the loop, with nothing to
	 * free (valgrind would see a heap block lost) */
	static struct lookup_reply reply;
	struct lookup_reply *rep = &reply;
	struct lookup_request req;
	GError *error = NULL;
	ssize_t n;

	close_range(3, (unsigned int)sock - 1, 0);
	close_range((unsigned int)sock + 1, ~0u, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(1);
	/* nobody: file permissions keep it from the account secrets; the
	 * bounding set goes while CAP_SETPCAP is still there */
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		(void)prctl(PR_CAPBSET_DROP, cap);
	if (getuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	     setresuid(uid, uid, uid) < 0))
		_exit(1);
	if (!confine_account_lookup(&error)) {
		g_printerr("tapwardend: %s\n", error->message);
		_exit(1);
	}
	for (;;) {
		n = recv(sock, &req, sizeof(req), 0);
		if (n == 0)
			_exit(0);
		if (n != (ssize_t)sizeof(req)) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(n < 0 ? 1 : 0);
		}
		n = (ssize_t)lookup_answer(&req, rep);
		if (send(sock, rep, (size_t)n, MSG_NOSIGNAL) != n)
			_exit(1);
	}
}

/**
 * accounts_start_lookup_process() - answer every later lookup from a
 * process of its own, running as nobody (the broker, before it confines
 * itself; single-threaded)
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool accounts_start_lookup_process(GError **error)
{
	struct timeval timeout = { .tv_sec = LOOKUP_TIMEOUT_S };
	int pair[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0 ||
	    setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)) < 0 ||
	    setsockopt(pair[0], SOL_SOCKET, SO_SNDTIMEO, &timeout,
		       sizeof(timeout)) < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "account lookup process: %s", g_strerror(errno));
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "account lookup process: fork: %s",
			    g_strerror(errno));
		close(pair[0]);
		close(pair[1]);
		return false;
	}
	if (pid == 0) {
		close(pair[0]);
		lookup_main(pair[1]);
	}
	close(pair[1]);
	lookup_fd = pair[0];
	return true;
}
