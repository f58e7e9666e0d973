// SPDX-License-Identifier: GPL-2.0
/*
 * Open-file cache: saves the getattr, the permission checks of an open and
 * the open itself for files served again. An entry maps a path relative to
 * the document root to an open file and its metadata.
 *
 * It never saves the path walk. Every request walks its path again
 * (kapi_file.c, with the server's unprivileged credentials), and the walk
 * is what sees every change along the path at once: a symlink replaced
 * (ln -sfn: unlink + symlink, no rename), a directory or file renamed over,
 * a directory deleted, a directory's permission revoked (chmod o-x, 700) or
 * its ACL changed. An entry is used only while it provably still describes
 * what that walk found:
 *
 *  - the walk led to the entry's own dentry on the same mount (any other
 *    file, directory or symlink target there now is a different dentry);
 *  - the inode's change time, modification time, size and mode equal what
 *    the getattr of the entry's open saw: a write, truncate, chmod, chown
 *    or ACL change updates the change time, and mode and size are compared
 *    as well because timestamps are coarse (a chmod in the same clock tick
 *    as the caching lookup still differs in mode);
 *  - and on each hit the caller checks the file's own permission again
 *    (inode_permission: mode bits, ACLs, the LSMs' inode hook), as an
 *    open would.
 *
 * So a hit answers exactly as a fresh getattr and open would: the same
 * inode, seen through the same walk, with the same metadata and access. A
 * change that leaves times, size and mode all equal (a same-size rewrite
 * within one timestamp tick) is invisible to a fresh getattr too, and the
 * bytes come from the same inode's pages either way. The credentials
 * cannot change under an entry: the cache lives and dies with the server,
 * and uid and gid are read at start.
 *
 * A stale entry is dropped and the caller does the getattr and the open
 * again. Memory is bounded by the entry count (sysctl filecache_entries),
 * least recently used first out.
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/version.h>

#include "file_cache.h"
#include "stats.h"

#define KHTTPD_FC_HASH_BITS 10

struct khttpd_fc_entry {
	struct hlist_node node;
	struct list_head lru; /* in khttpd_file_cache.lru, newest first */
	struct file *file;
	struct kh_file_info info;
	struct timespec64 ctime;
	unsigned int hash;
	size_t len;
	char name[];
};

struct khttpd_file_cache {
	spinlock_t lock;
	unsigned int max_entries;
	unsigned int nr_entries;
	struct list_head lru;
	DECLARE_HASHTABLE(table, KHTTPD_FC_HASH_BITS);
	struct khttpd_stats __percpu *stats; /* hits and misses; NULL: none */
};

static struct timespec64 khttpd_inode_ctime(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return inode_get_ctime(inode);
#else
	return inode->i_ctime;
#endif
}

struct khttpd_file_cache *khttpd_fc_create(unsigned int max_entries, int *err)
{
	struct khttpd_file_cache *fc;

	*err = 0;
	if (!max_entries)
		return NULL;
	fc = kzalloc(sizeof(*fc), GFP_KERNEL);
	if (!fc) {
		*err = -ENOMEM;
		return NULL;
	}
	spin_lock_init(&fc->lock);
	fc->max_entries = max_entries;
	INIT_LIST_HEAD(&fc->lru);
	hash_init(fc->table);
	return fc;
}

/* Unlinks @e (under fc->lock) onto @dead, to be freed after unlocking. */
static void khttpd_fc_unlink(struct khttpd_file_cache *fc,
			     struct khttpd_fc_entry *e, struct list_head *dead)
{
	hash_del(&e->node);
	list_move(&e->lru, dead);
	fc->nr_entries--;
}

static void khttpd_fc_free_list(struct list_head *dead)
{
	struct khttpd_fc_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, dead, lru) {
		fput(e->file);
		kfree(e);
	}
}

static struct khttpd_fc_entry *khttpd_fc_find(struct khttpd_file_cache *fc,
					      const char *name, size_t len,
					      unsigned int hash)
{
	struct khttpd_fc_entry *e;

	hash_for_each_possible(fc->table, e, node, hash)
		if (e->hash == hash && e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static struct timespec64 khttpd_inode_mtime(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return inode_get_mtime(inode);
#else
	return inode->i_mtime;
#endif
}

/* The rules at the top of this file; @path: where the walk led now. */
static bool khttpd_fc_valid(const struct khttpd_fc_entry *e, const struct path *path)
{
	struct inode *inode = file_inode(e->file);
	struct timespec64 ctime = khttpd_inode_ctime(inode);
	struct timespec64 mtime = khttpd_inode_mtime(inode);

	return e->file->f_path.dentry == path->dentry &&
	       e->file->f_path.mnt == path->mnt &&
	       timespec64_equal(&ctime, &e->ctime) &&
	       mtime.tv_sec == e->info.mtime_sec && mtime.tv_nsec == e->info.mtime_nsec &&
	       i_size_read(inode) == e->info.size &&
	       READ_ONCE(inode->i_mode) == e->info.mode;
}

bool khttpd_fc_get(struct khttpd_file_cache *fc, const char *name, size_t len,
		   const struct path *path, struct file **file, struct kh_file_info *info)
{
	unsigned int hash = full_name_hash(fc, name, len);
	struct khttpd_fc_entry *e;
	LIST_HEAD(dead);
	bool hit = false;

	spin_lock(&fc->lock);
	e = khttpd_fc_find(fc, name, len, hash);
	if (e && khttpd_fc_valid(e, path)) {
		*file = get_file(e->file);
		*info = e->info;
		list_move(&e->lru, &fc->lru);
		hit = true;
	} else if (e) {
		khttpd_fc_unlink(fc, e, &dead);
	}
	spin_unlock(&fc->lock);
	khttpd_fc_free_list(&dead);
	if (fc->stats && hit) /* NULL: counted nowhere (KUnit) */
		khttpd_stat_inc(fc->stats, fc_hits);
	else if (fc->stats)
		khttpd_stat_inc(fc->stats, fc_misses);
	return hit;
}

void khttpd_fc_count_into(struct khttpd_file_cache *fc, struct khttpd_stats __percpu *stats)
{
	if (fc)
		fc->stats = stats;
}

unsigned int khttpd_fc_entries(struct khttpd_file_cache *fc)
{
	/* A gauge: a value of a moment ago is fine, no lock needed. */
	return fc ? data_race(READ_ONCE(fc->nr_entries)) : 0;
}

void khttpd_fc_put(struct khttpd_file_cache *fc, const char *name, size_t len,
		   struct file *file, const struct kh_file_info *info,
		   struct timespec64 ctime)
{
	unsigned int hash = full_name_hash(fc, name, len);
	struct khttpd_fc_entry *e, *old;
	LIST_HEAD(dead);

	e = kmalloc(struct_size(e, name, len), GFP_KERNEL);
	if (!e)
		return; /* caching is optional */
	e->file = get_file(file);
	e->info = *info;
	e->ctime = ctime;
	e->hash = hash;
	e->len = len;
	memcpy(e->name, name, len);

	spin_lock(&fc->lock);
	old = khttpd_fc_find(fc, name, len, hash); /* another worker's */
	if (old)
		khttpd_fc_unlink(fc, old, &dead);
	hash_add(fc->table, &e->node, hash);
	list_add(&e->lru, &fc->lru);
	fc->nr_entries++;
	while (fc->nr_entries > fc->max_entries)
		khttpd_fc_unlink(fc, list_last_entry(&fc->lru, struct khttpd_fc_entry, lru),
				 &dead);
	spin_unlock(&fc->lock);
	khttpd_fc_free_list(&dead);
}

void khttpd_fc_destroy(struct khttpd_file_cache *fc)
{
	LIST_HEAD(dead);

	if (!fc)
		return;
	/* No worker runs any more: no lock needed, but keep lockdep happy. */
	spin_lock(&fc->lock);
	list_splice_init(&fc->lru, &dead);
	fc->nr_entries = 0;
	spin_unlock(&fc->lock);
	khttpd_fc_free_list(&dead);
	kfree(fc);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "file_cache_test.c"
#endif
