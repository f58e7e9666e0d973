// SPDX-License-Identifier: GPL-2.0
/*
 * The MIME table in use: NULL means the core's built-in table, else one
 * built from a mime.types file (src/core/mime_table.cpp). Every response
 * looks a type up (kh_mime_type, under rcu_read_lock: no sleeping, no
 * allocation); loads replace the whole table under a mutex, and the old one
 * is freed after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/kernel_read_file.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "khttpd/kapi.h"
#include "khttpd/mime_table.h"
#include "mime_table.h"

/* A loaded table, with the path it came from, in one kvmalloc block. */
struct khttpd_mime {
	const struct khttpd_mime_table *table; /* in mem[] */
	char path[KHTTPD_MIME_PATH_MAX];
	unsigned long mem[]; /* the table (the core wants 8-byte alignment) */
};

static struct khttpd_mime __rcu *khttpd_mime_cur; /* NULL: built-in */
static DEFINE_MUTEX(khttpd_mime_lock); /* serialises loads */

kh_size kh_mime_type(const char *name, kh_size name_len, char *out, kh_size out_size)
{
	const struct khttpd_mime *m;
	const char *type;
	kh_size n;

	rcu_read_lock();
	m = rcu_dereference(khttpd_mime_cur);
	n = khttpd_mime_table_lookup(m ? m->table : NULL, name, name_len, &type);
	if (n > out_size)
		n = 0;
	if (n)
		memcpy(out, type, n);
	rcu_read_unlock();
	return n;
}

/*
 * Reads the whole file at @path into a vmalloc'd *@text (NULL for an empty
 * file). kernel_read_file() refuses empty files, and an empty mime.types
 * is a valid (empty) table, so this opens the file itself; otherwise it is
 * kernel_read_file_from_path(), plus O_NONBLOCK (a FIFO must not block the
 * sysctl write) and O_LARGEFILE (a huge file gives EFBIG, not EOVERFLOW).
 */
static int khttpd_mime_read(const char *path, void **text, size_t *len)
{
	struct file *file;
	struct inode *inode;
	ssize_t n = 0;

	*text = NULL;
	*len = 0;
	file = filp_open(path, O_RDONLY | O_NONBLOCK | O_LARGEFILE, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	inode = file_inode(file);
	if (S_ISDIR(inode->i_mode))
		n = -EISDIR;
	else if (!S_ISREG(inode->i_mode))
		n = -EINVAL;
	else if (i_size_read(inode) > 0)
		/* READING_POLICY: a configuration file, as zram's dictionaries. */
		n = kernel_read_file(file, 0, text, KHTTPD_MIME_FILE_MAX, NULL,
				     READING_POLICY);
	fput(file);
	if (n < 0)
		return n;
	*len = n;
	return 0;
}

/* Makes @m (NULL: built-in) the table in use and frees the one it replaces. */
static void khttpd_mime_swap(struct khttpd_mime *m)
{
	struct khttpd_mime *old;

	old = rcu_replace_pointer(khttpd_mime_cur, m, lockdep_is_held(&khttpd_mime_lock));
	if (old) {
		synchronize_rcu(); /* no kh_mime_type still reads it */
		kvfree(old);
	}
}

/* Builds the table of @path: an ERR_PTR on failure, logged. */
static struct khttpd_mime *khttpd_mime_build(const char *path)
{
	struct khttpd_mime *m;
	void *text;
	size_t len;
	kh_size size;
	kh_u32 line = 0;
	int err;

	err = khttpd_mime_read(path, &text, &len);
	if (err) {
		pr_warn("mimetypes: cannot read %s (error %d); MIME table unchanged\n", path, err);
		return ERR_PTR(err);
	}
	size = khttpd_mime_table_size(text, len, &line);
	if (!size) {
		pr_warn("mimetypes: %s: line %u is not a valid mime.types line; MIME table unchanged\n",
			path, line);
		m = ERR_PTR(-EINVAL);
		goto out;
	}
	m = kvmalloc(sizeof(*m) + size, GFP_KERNEL);
	if (!m) {
		m = ERR_PTR(-ENOMEM);
		goto out;
	}
	m->table = khttpd_mime_table_build(text, len, m->mem, size);
	if (!m->table) { /* cannot happen: sized above */
		kvfree(m);
		m = ERR_PTR(-EINVAL);
		goto out;
	}
	strscpy(m->path, path, sizeof(m->path));
out:
	vfree(text);
	return m;
}

int khttpd_mime_load(const char *path)
{
	struct khttpd_mime *m = NULL;
	size_t n = strnlen(path, KHTTPD_MIME_PATH_MAX);

	if (n && (path[0] != '/' || n == KHTTPD_MIME_PATH_MAX))
		return -EINVAL;
	mutex_lock(&khttpd_mime_lock);
	if (n) {
		m = khttpd_mime_build(path);
		if (IS_ERR(m)) {
			mutex_unlock(&khttpd_mime_lock);
			return PTR_ERR(m);
		}
	}
	if (m)
		pr_info("mimetypes: %u extensions from %s\n",
			khttpd_mime_table_count(m->table), m->path);
	else
		pr_info("mimetypes: built-in table\n");
	khttpd_mime_swap(m);
	mutex_unlock(&khttpd_mime_lock);
	return 0;
}

void khttpd_mime_path(char *buf, size_t size)
{
	const struct khttpd_mime *m;

	mutex_lock(&khttpd_mime_lock);
	m = rcu_dereference_protected(khttpd_mime_cur, lockdep_is_held(&khttpd_mime_lock));
	strscpy(buf, m ? m->path : "", size);
	mutex_unlock(&khttpd_mime_lock);
}

void khttpd_mime_exit(void)
{
	mutex_lock(&khttpd_mime_lock);
	khttpd_mime_swap(NULL);
	mutex_unlock(&khttpd_mime_lock);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "mime_table_test.c"
#endif
