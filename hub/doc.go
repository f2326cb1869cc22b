// Package hub fetches models from the Hugging Face Hub into the local cache
// that huggingface_hub (Python) uses, and resolves what a user typed as
// MODEL — a path, a repo id, a repo file, or a short alias — to a local path.
//
// The cache is laid out exactly as huggingface_hub writes it, so a model
// pulled by Ferrum is found by transformers and the reverse:
//
//	$HF_HUB_CACHE/models--org--name/
//	    blobs/<etag>               file contents, named by the normalised ETag:
//	                               the SHA-256 for LFS files, the git SHA-1 otherwise
//	    blobs/<etag>.incomplete    a partial download, resumed with a Range request
//	    refs/<revision>            the commit hash a branch or tag pointed at
//	    snapshots/<commit>/<path>  relative symlinks to ../../blobs/<etag>
//	$HF_HUB_CACHE/.locks/models--org--name/<etag>.lock
//
// The entry points are Resolve (used by every command that takes MODEL),
// (*Hub).Pull, (*Hub).List and (*Hub).Remove. Environment variables follow
// huggingface_hub: HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE,
// HF_HUB_OFFLINE.
package hub
