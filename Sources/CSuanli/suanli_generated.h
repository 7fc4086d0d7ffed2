#define SUANLI_GIT_COMMIT "c9a4f7e1f552-dirty"
