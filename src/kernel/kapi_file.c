// SPDX-License-Identifier: GPL-2.0
/*
 * File lookup for the core, confined to the document root by the kernel's
 * own path walk, and done with an unprivileged identity: sysctls uid and
 * gid, no supplementary groups, no capabilities. Directory permissions,
 * ACLs and LSMs apply to the walk and the open as they do to a web server
 * running as that user (nfsd and ksmbd override credentials the same way).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/stat.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/version.h>

#include "file_cache.h"
#include "kapi_kernel.h"

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
/* Exported on 6.1 but declared only in fs/internal.h there. */
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);
#endif

unsigned int kh_root_lookup_flags(bool crossmounts)
{
	/*
	 * LOOKUP_BENEATH: ".." above the root and absolute symlinks fail
	 * (-EXDEV); symlinks that stay inside the root are followed. No magic
	 * links (/proc/self/fd/...); no other mount unless allowed.
	 */
	return LOOKUP_FOLLOW | LOOKUP_BENEATH | LOOKUP_NO_MAGICLINKS |
	       (crossmounts ? 0 : LOOKUP_NO_XDEV);
}

int kh_root_init_cred(struct kh_root *root, int uid, int gid)
{
	kuid_t kuid = make_kuid(&init_user_ns, uid);
	kgid_t kgid = make_kgid(&init_user_ns, gid);
	struct group_info *groups;
	struct cred *cred;

	if (!uid_valid(kuid) || !gid_valid(kgid))
		return -EINVAL;
	/* The kernel's own credentials (not the caller's): no keys, no LSM
	 * label of whoever wrote "start".
	 */
	cred = prepare_kernel_cred(&init_task);
	if (!cred)
		return -ENOMEM;
	groups = groups_alloc(0);
	if (!groups) {
		abort_creds(cred);
		return -ENOMEM;
	}
	set_groups(cred, groups); /* takes its own reference */
	put_group_info(groups);
	cred->uid = cred->euid = cred->suid = cred->fsuid = kuid;
	cred->gid = cred->egid = cred->sgid = cred->fsgid = kgid;
	cred->cap_inheritable = CAP_EMPTY_SET;
	cred->cap_permitted = CAP_EMPTY_SET;
	cred->cap_effective = CAP_EMPTY_SET;
	cred->cap_bset = CAP_EMPTY_SET;
	cred->cap_ambient = CAP_EMPTY_SET;
	root->cred = cred;
	return 0;
}

int kh_root_lookup(struct kh_root *root, const char *docroot)
{
	const struct cred *old = override_creds(root->cred);
	int err = kern_path(docroot, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &root->path);

	revert_creds(old);
	return err;
}

/*
 * The rest of kh_file_open() once the walk found @path, under root->cred.
 * The cache saves the getattr and the open, never the walk: the walk is
 * what sees a symlink or directory replaced, or a directory's permission
 * revoked, anywhere on the path (file_cache.c).
 */
static int kh_open_path(struct kh_root *root, const char *name, const struct path *path,
			struct kh_file **out, struct kh_file_info *info)
{
	size_t len = strlen(name);
	struct file *file;
	struct kstat stat;
	int err;

	if (root->cache && khttpd_fc_get(root->cache, name, len, path, &file, info)) {
		/* Costs little, and sees an ACL or LSM change at once. */
		err = path_permission(path, MAY_OPEN | MAY_READ);
		if (err)
			fput(file);
		else
			*out = kh_from_file(file);
		return err;
	}

	err = vfs_getattr(path, &stat, STATX_BASIC_STATS, AT_STATX_SYNC_AS_STAT);
	if (err)
		return err;
	info->size = stat.size;
	info->mtime_sec = stat.mtime.tv_sec;
	info->mtime_nsec = stat.mtime.tv_nsec;
	info->mode = stat.mode;
	info->ino = stat.ino;

	/* Never open anything else: a FIFO or device could block or act. */
	if (!S_ISREG(stat.mode))
		return 0;
	/* dentry_open() checks no permission itself; open(2) would (may_open). */
	err = path_permission(path, MAY_OPEN | MAY_READ);
	if (err)
		return err;
	/* O_NOATIME: serving a file is not an access worth a write. */
	file = dentry_open(path, O_RDONLY | O_LARGEFILE | O_NOATIME, root->cred);
	if (IS_ERR(file))
		return PTR_ERR(file);
	*out = kh_from_file(file);
	if (root->cache)
		khttpd_fc_put(root->cache, name, len, file, info, stat.ctime);
	return 0;
}

int kh_file_open(struct kh_root *root, const char *name, struct kh_file **out,
		 struct kh_file_info *info)
{
	const struct cred *old;
	struct path path;
	int err;

	*out = NULL;
	old = override_creds(root->cred);
	err = vfs_path_lookup(root->path.dentry, root->path.mnt, name,
			      root->lookup_flags, &path);
	if (!err) {
		err = kh_open_path(root, name, &path, out, info);
		path_put(&path);
	}
	revert_creds(old);
	return err;
}

bool khttpd_page_cache_is_truth(struct file *file)
{
	switch (file_inode(file)->i_sb->s_magic) {
	case TMPFS_MAGIC:
	case EXT4_SUPER_MAGIC: /* ext2 and ext3 too */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
		return true;
	default:
		return false;
	}
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
/*
 * Copies what of [@pos, @pos + @len) is in the page cache, up to date,
 * from its folios: no pass through the file system's read_iter (for a
 * 1 KiB body, most of the read's cost). Stops at the first folio that is
 * not there (the caller then takes the file system's way) and at the end
 * of the file.
 */
static size_t khttpd_read_cached(struct file *file, loff_t pos, char *buf, size_t len)
{
	struct address_space *mapping = file->f_mapping;
	loff_t size = i_size_read(file_inode(file));
	size_t done = 0;

	if (pos >= size)
		return 0;
	len = min_t(u64, len, size - pos);
	while (done < len) {
		struct folio *folio = filemap_get_folio(mapping, (pos + done) >> PAGE_SHIFT);
		size_t off, seg;

		if (IS_ERR(folio))
			break;
		if (!folio_test_uptodate(folio) || READ_ONCE(folio->mapping) != mapping) {
			folio_put(folio);
			break;
		}
		off = pos + done - folio_pos(folio);
		seg = min_t(size_t, folio_size(folio) - off, len - done);
		memcpy_from_folio(buf + done, folio, off, seg);
		folio_put(folio);
		done += seg;
	}
	return done;
}
#endif

/*
 * Copies what of [@offset, @offset + @len) is in the page cache, without
 * waiting for a disk (IOCB_NOWAIT): a short count or -EAGAIN sends the
 * body the other way, whose missing pages are read off the worker
 * (cold_read.c). The position is explicit: the file may be shared (the
 * open-file cache), so its f_pos means nothing.
 */
long kh_file_read(struct kh_file *file, kh_u64 offset, void *buf, kh_size len)
{
	struct file *f = kh_to_file(file);
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t n;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	if (khttpd_page_cache_is_truth(f)) {
		n = khttpd_read_cached(f, offset, buf, len);
		if (n)
			return n;
	}
#endif

	init_sync_kiocb(&kiocb, f);
	kiocb.ki_pos = offset;
	kiocb.ki_flags |= IOCB_NOWAIT;
	iov_iter_kvec(&iter, READ, &kv, 1, len);
	n = vfs_iocb_iter_read(f, &kiocb, &iter);
	if (n == -EOPNOTSUPP) { /* a file system without it: as before */
		loff_t pos = offset;

		n = kernel_read(f, buf, len, &pos);
	}
	return n;
}

void kh_file_close(struct kh_file *file)
{
	fput(kh_to_file(file));
}
