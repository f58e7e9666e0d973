// SPDX-License-Identifier: GPL-2.0
#include "relay.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

#include "fd_util.h"
#include "ktls.h"

namespace fallbackd {
namespace {

// One splice() asks for this much; the pipe's free room limits it.
constexpr size_t kSpliceChunk = 1 << 20;

// Rounds of (backend -> client, client -> backend) per pump() call.
constexpr int kRoundsPerPump = 16;

constexpr unsigned kSpliceFlags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;

bool would_block(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK;
}

} // namespace

Relay::Relay(UniqueFd client, UniqueFd backend, bool connected, Pipe up, Pipe down,
	     std::string preamble, bool client_ktls)
	: client_(std::move(client)), backend_(std::move(backend)), connected_(connected),
	  preamble_(std::move(preamble)), client_ktls_(client_ktls)
{
	up_.from = client_.get();
	up_.to = backend_.get();
	up_.pipe = std::move(up);
	up_.name_read = "reading from the client";
	up_.name_write = "writing to the backend";
	down_.from = backend_.get();
	down_.to = client_.get();
	down_.pipe = std::move(down);
	down_.name_read = "reading from the backend";
	down_.name_write = "writing to the client";
}

bool Relay::fail(int err, const char *context)
{
	error_ = err;
	error_context_ = context;
	return false;
}

// The non-blocking connect() is over (EPOLLOUT or an error on the backend).
bool Relay::finish_connect()
{
	int err = socket_error(backend_.get());
	if (err == 0) {
		connected_ = true;
		activity_++;
		return true;
	}
	unreachable_ = true;
	return fail(err, "connecting to the backend");
}

bool Relay::send_preamble(bool &progress)
{
	while (preamble_sent_ < preamble_.size()) {
		ssize_t n = send(backend_.get(), preamble_.data() + preamble_sent_,
				 preamble_.size() - preamble_sent_, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (would_block(errno))
				return true;
			return fail(errno, "writing to the backend");
		}
		preamble_sent_ += static_cast<size_t>(n);
		progress = true;
	}
	if (!preamble_.empty()) {
		std::string().swap(preamble_); // sent: free it
		preamble_sent_ = 0;
	}
	return true;
}

// One round of one direction: fill the pipe from `from`, drain it into
// `to`, and pass an end of file on once the pipe is empty.
bool Relay::step(Direction &d, bool may_write, bool &progress)
{
	if (!d.from_eof) {
		ssize_t n = splice(d.from, nullptr, d.pipe.write_end.get(), nullptr, kSpliceChunk,
				   kSpliceFlags);
		if (n > 0) {
			d.in_pipe += static_cast<size_t>(n);
			progress = true;
		} else if (n == 0) {
			d.from_eof = true;
			progress = true;
		} else if (errno == EINTR) {
			progress = true; // try again
		} else if ((errno == EINVAL || errno == EIO) && client_ktls_ &&
			   d.from == client_.get()) {
			// A non-data TLS record at the head of the queue:
			// splice() says EINVAL ("does not support reading
			// control messages"), read() EIO. An alert
			// (close_notify...) ends the client's stream; a
			// handshake message (a TLS 1.3 KeyUpdate) cannot be
			// followed here.
			int err = errno;
			KtlsRecord rec = read_ktls_control_record(d.from);
			if (rec.kind == KtlsRecord::kHandshake)
				return fail(EPROTO, "a TLS handshake message from the client "
						    "(KeyUpdate?) on a kernel TLS socket");
			if (rec.kind != KtlsRecord::kAlert)
				return fail(err, d.name_read);
			d.from_eof = true;
			progress = true;
		} else if (!would_block(errno)) {
			// EAGAIN: nothing to read, or the pipe is full; a
			// full pipe is drained below, then read again.
			return fail(errno, d.name_read);
		}
	}
	if (!may_write)
		return true;
	if (d.in_pipe > 0) {
		ssize_t n = splice(d.pipe.read_end.get(), nullptr, d.to, nullptr, d.in_pipe,
				   kSpliceFlags);
		if (n > 0) {
			d.in_pipe -= static_cast<size_t>(n);
			d.delivered += static_cast<uint64_t>(n);
			progress = true;
		} else if (n < 0 && errno == EINTR) {
			progress = true;
		} else if (n < 0 && !would_block(errno)) {
			return fail(errno, d.name_write);
		}
	}
	if (d.from_eof && d.in_pipe == 0 && !d.to_shut) {
		// TLS needs its own end of stream before TCP's.
		if (client_ktls_ && d.to == client_.get())
			send_ktls_close_notify(d.to);
		// ENOTCONN: the peer is gone already; the other direction
		// will see it. Either way this direction is over.
		if (shutdown(d.to, SHUT_WR) != 0 && errno != ENOTCONN)
			return fail(errno, d.name_write);
		d.to_shut = true;
		progress = true;
	}
	return true;
}

void Relay::refuse(ErrorReply reply)
{
	if (client_ktls_)
		answer_and_close_ktls(std::move(client_), reply);
	else
		answer_and_close(std::move(client_), reply);
}

Relay::Status Relay::on_event(bool on_backend, uint32_t epoll_events, bool &more_work)
{
	more_work = false;
	if (!connected_) {
		if (!on_backend)
			return Status::kActive; // the client waits for the backend
		if (!finish_connect())
			return Status::kBackendUnreachable;
	} else if (epoll_events & EPOLLERR) {
		int err = socket_error(on_backend ? backend_.get() : client_.get());
		if (err != 0) {
			fail(err, on_backend ? "backend socket" : "client socket");
			return Status::kFailed;
		}
	}
	return pump(more_work);
}

Relay::Status Relay::pump(bool &more_work)
{
	more_work = false;
	if (!connected_)
		return unreachable_ ? Status::kBackendUnreachable : Status::kActive;
	for (int round = 0; round < kRoundsPerPump; round++) {
		bool progress = false;
		if (!send_preamble(progress))
			return Status::kFailed;
		bool preamble_done = preamble_.empty();
		// Backend -> client first: the answer is what the client waits for.
		if (!step(down_, true, progress) || !step(up_, preamble_done, progress))
			return Status::kFailed;
		if (up_.to_shut && down_.to_shut)
			return Status::kFinished;
		if (!progress)
			return Status::kActive;
		activity_++;
	}
	more_work = true;
	return Status::kActive;
}

} // namespace fallbackd
