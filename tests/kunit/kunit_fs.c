// SPDX-License-Identifier: GPL-2.0
/*
 * File system fixtures for khttpd's KUnit suites: a private tmpfs, a
 * scratch directory reachable by path name, and the few changes the suites
 * make to files (write, rename, remove, chmod) done through the VFS as a
 * system call would do them. Built into khttpd.ko only with CONFIG_KUNIT.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/string.h>
#include <linux/in.h>
#include <linux/net.h>
#include <net/net_namespace.h>

#include "kunit_fs.h"

static void khttpd_kunit_tmpfs_release(void *data)
{
	struct vfsmount *mnt = data;

	/* Files last closed by kernel threads are released by a work item;
	 * they hold the mount. */
	flush_delayed_fput();
	kern_unmount(mnt);
}

int khttpd_kunit_tmpfs(struct kunit *test, struct path *root)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	struct vfsmount *mnt;
	int err;

	if (!type)
		return -ENODEV;
	mnt = kern_mount(type);
	module_put(type->owner);
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	err = kunit_add_action_or_reset(test, khttpd_kunit_tmpfs_release, mnt);
	if (err)
		return err;
	root->mnt = mnt;
	root->dentry = mnt->mnt_root;
	return 0;
}

int khttpd_kunit_scratch_dir(struct path *dir, char *name, size_t size)
{
	static const char *const candidates[][2] = { { "/tmp", "/tmp" }, { "/", "" } };
	unsigned long magic;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		if (kern_path(candidates[i][0], LOOKUP_FOLLOW | LOOKUP_DIRECTORY, dir))
			continue;
		magic = dir->dentry->d_sb->s_magic;
		if ((magic == TMPFS_MAGIC || magic == RAMFS_MAGIC) &&
		    !__mnt_is_readonly(dir->mnt)) {
			strscpy(name, candidates[i][1], size);
			return 0;
		}
		path_put(dir);
	}
	return -EROFS;
}

static int khttpd_kunit_write_at(const struct path *dir, const char *path, const void *data,
				 size_t len, loff_t pos, int flags)
{
	struct file *file;
	ssize_t n;

	file = file_open_root(dir, path, O_WRONLY | O_LARGEFILE | flags, 0644);
	if (IS_ERR(file))
		return PTR_ERR(file);
	n = kernel_write(file, data, len, &pos);
	fput(file);
	/*
	 * A kernel thread's last fput() is finished by a work item: wait for
	 * it, so that the file is closed for writing when this returns
	 * (kernel_read_file() refuses a file open for writing: ETXTBSY).
	 */
	flush_delayed_fput();
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

int khttpd_kunit_write(const struct path *dir, const char *path, const void *data,
		       size_t len)
{
	return khttpd_kunit_write_at(dir, path, data, len, 0, O_CREAT | O_TRUNC);
}

int khttpd_kunit_pwrite(const struct path *dir, const char *path, const void *data,
			size_t len, loff_t pos)
{
	return khttpd_kunit_write_at(dir, path, data, len, pos, 0);
}

/* Runs @op on the dentry of @name in @dir, with @dir locked for writing. */
static int khttpd_kunit_in_dir(const struct path *dir, const char *name,
			       int (*op)(const struct path *dir, struct dentry *d))
{
	struct inode *di = d_inode(dir->dentry);
	struct dentry *d;
	int err;

	err = mnt_want_write(dir->mnt);
	if (err)
		return err;
	inode_lock_nested(di, I_MUTEX_PARENT);
	d = lookup_one_len(name, dir->dentry, strlen(name));
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
	} else {
		err = op(dir, d);
		dput(d);
	}
	inode_unlock(di);
	mnt_drop_write(dir->mnt);
	return err;
}

static int khttpd_kunit_do_mkdir(const struct path *dir, struct dentry *d)
{
	if (d_really_is_positive(d))
		return -EEXIST;
	return vfs_mkdir(mnt_idmap(dir->mnt), d_inode(dir->dentry), d, 0755);
}

static int khttpd_kunit_do_remove(const struct path *dir, struct dentry *d)
{
	if (d_really_is_negative(d))
		return -ENOENT;
	if (d_is_dir(d))
		return vfs_rmdir(mnt_idmap(dir->mnt), d_inode(dir->dentry), d);
	return vfs_unlink(mnt_idmap(dir->mnt), d_inode(dir->dentry), d, NULL);
}

int khttpd_kunit_mkdir(const struct path *dir, const char *name)
{
	return khttpd_kunit_in_dir(dir, name, khttpd_kunit_do_mkdir);
}

int khttpd_kunit_remove(const struct path *dir, const char *name)
{
	return khttpd_kunit_in_dir(dir, name, khttpd_kunit_do_remove);
}

int khttpd_kunit_rename(const struct path *dir, const char *from, const char *to)
{
	struct inode *di = d_inode(dir->dentry);
	struct renamedata rd = {};
	struct dentry *trap, *old, *new;
	int err;

	err = mnt_want_write(dir->mnt);
	if (err)
		return err;
	trap = lock_rename(dir->dentry, dir->dentry);
	if (IS_ERR(trap)) {
		err = PTR_ERR(trap);
		goto out_write;
	}
	old = lookup_one_len(from, dir->dentry, strlen(from));
	if (IS_ERR(old)) {
		err = PTR_ERR(old);
		goto out_unlock;
	}
	new = lookup_one_len(to, dir->dentry, strlen(to));
	if (IS_ERR(new)) {
		err = PTR_ERR(new);
		goto out_old;
	}
	if (d_really_is_negative(old)) {
		err = -ENOENT;
	} else {
		rd.old_mnt_idmap = mnt_idmap(dir->mnt);
		rd.old_dir = di;
		rd.old_dentry = old;
		rd.new_mnt_idmap = mnt_idmap(dir->mnt);
		rd.new_dir = di;
		rd.new_dentry = new;
		err = vfs_rename(&rd);
	}
	dput(new);
out_old:
	dput(old);
out_unlock:
	unlock_rename(dir->dentry, dir->dentry);
out_write:
	mnt_drop_write(dir->mnt);
	return err;
}

int khttpd_kunit_chmod(const struct path *dir, const char *path, umode_t mode)
{
	struct iattr attr = { .ia_valid = ATTR_MODE | ATTR_CTIME };
	struct inode *inode;
	struct path p;
	int err;

	err = vfs_path_lookup(dir->dentry, dir->mnt, path, 0, &p);
	if (err)
		return err;
	err = mnt_want_write(p.mnt);
	if (err)
		goto out;
	inode = d_inode(p.dentry);
	inode_lock(inode);
	attr.ia_mode = (mode & S_IALLUGO) | (inode->i_mode & ~S_IALLUGO);
	err = notify_change(mnt_idmap(p.mnt), p.dentry, &attr, NULL);
	inode_unlock(inode);
	mnt_drop_write(p.mnt);
out:
	path_put(&p);
	return err;
}

void khttpd_kunit_next_tick(void)
{
	/* Coarse timestamps move once per tick: wait for two. */
	msleep(jiffies_to_msecs(2) + 1);
}

int khttpd_kunit_tcp_pair(struct socket **listener, struct socket **client,
			  struct socket **server)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int err;

	err = sock_create_kern(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP, listener);
	if (err)
		return err;
	err = kernel_bind(*listener, (struct sockaddr *)&addr, sizeof(addr));
	if (!err)
		err = kernel_listen(*listener, 1);
	if (!err)
		err = kernel_getsockname(*listener, (struct sockaddr *)&addr) < 0 ? -EINVAL : 0;
	if (err)
		return err;
	err = sock_create_kern(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP, client);
	if (err)
		return err;
	err = kernel_connect(*client, (struct sockaddr *)&addr, sizeof(addr), 0);
	if (err)
		return err;
	return kernel_accept(*listener, server, 0);
}
