#!/bin/sh
# A CGI program for the demo: Apache runs it, khttpd hands the request over.
printf 'Content-Type: text/plain\r\n\r\n'
echo "Hello from Apache's CGI (the kernel handed this request over)."
echo "Your address as Apache sees it: $REMOTE_ADDR"
echo "Query: $QUERY_STRING"
