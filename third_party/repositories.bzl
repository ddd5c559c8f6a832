"""Local repositories that stand in for everything Bazel would otherwise download.

The project builds offline. C++ libraries come from Debian packages (or, on a bare GPU
machine, from Debian .deb files unpacked under a sysroot), LibTorch from Debian's
libtorch-dev or from a PyTorch wheel. Environment variables pick the locations:

  ELECTRA_SYSROOT    prefix under which usr/include and usr/lib/x86_64-linux-gnu hold the
                     Debian C++ libraries ("" = the system itself).
  ELECTRA_TORCH_DIR  a PyTorch wheel's `torch` package directory (include/, lib/); unset =
                     Debian's CPU LibTorch under /usr.
  ELECTRA_CUDA_HOME  CUDA toolkit with include/cuda_runtime_api.h (default /usr/local/cuda),
                     used only with ELECTRA_TORCH_DIR.
"""

_LIB_SUBDIR = "usr/lib/x86_64-linux-gnu"

def _sysroot(ctx):
    root = ctx.os.environ.get("ELECTRA_SYSROOT", "")
    if root and not root.endswith("/"):
        root += "/"
    return root if root else "/"

def _use_debian(ctx, path):
    # ELECTRA_NO_SYSTEM_BAZEL_RULES=1 pretends they are absent (to test the GPU-machine path).
    return ctx.path(path).exists and not ctx.os.environ.get("ELECTRA_NO_SYSTEM_BAZEL_RULES", "")

def _link_or_stub(ctx, debian_path, workspace_name):
    """Symlinks a Debian-provided Bazel repository, or writes an empty one."""
    src = ctx.path(debian_path)
    if _use_debian(ctx, debian_path):
        for child in src.readdir():
            ctx.symlink(child, child.basename)
    else:
        ctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % workspace_name)
        ctx.file("BUILD", "")

_JAVA_RULES = ["java_binary", "java_import", "java_library", "java_lite_proto_library", "java_package_configuration",
               "java_plugin", "java_proto_library", "java_runtime", "java_test", "java_toolchain"]

def _rules_java_impl(ctx):
    if _use_debian(ctx, "/usr/share/bazel/rules/java"):
        _link_or_stub(ctx, "/usr/share/bazel/rules/java", "rules_java")
        return

    # A bare machine's Bazel (2.1 from npm) loads @rules_java//java:defs.bzl from its own tools:
    # forward those rules to the native ones.
    ctx.file("WORKSPACE", "workspace(name = \"rules_java\")\n")
    ctx.file("BUILD", "")
    ctx.file("java/BUILD", "")
    defs = "\n".join(["def %s(**kwargs):\n    native.%s(**kwargs)\n" % (r, r) for r in _JAVA_RULES])
    ctx.file("java/defs.bzl", defs)

_rules_java = repository_rule(implementation = _rules_java_impl, local = True, environ = ["ELECTRA_NO_SYSTEM_BAZEL_RULES"])

_PLATFORM_CPUS = ["aarch64", "arm", "arm64", "armv7", "armv7k", "arm64e", "arm64_32", "i386",
                  "ppc", "s390x", "x86_32", "x86_64", "wasm32", "wasm64", "mips64", "riscv64"]
_PLATFORM_OSES = ["android", "freebsd", "ios", "linux", "macos", "none", "openbsd", "osx",
                  "qnx", "tvos", "watchos", "windows", "wasi", "emscripten"]

def _platforms_impl(ctx):
    src = ctx.path("/usr/share/bazel/tools/platforms")
    if _use_debian(ctx, "/usr/share/bazel/tools/platforms"):
        for child in src.readdir():
            ctx.symlink(child, child.basename)
        return

    # A bare machine (the GPU one) has no Debian copy: write the constraint values Bazel's
    # C++ auto-configuration refers to.
    ctx.file("WORKSPACE", "workspace(name = \"platforms\")\n")
    ctx.file("BUILD", "package(default_visibility = [\"//visibility:public\"])\n")
    for setting, values in [("cpu", _PLATFORM_CPUS), ("os", _PLATFORM_OSES)]:
        body = "package(default_visibility = [\"//visibility:public\"])\n"
        body += "constraint_setting(name = \"%s\")\n" % setting
        for v in values:
            body += "constraint_value(name = \"%s\", constraint_setting = \":%s\")\n" % (v, setting)
        ctx.file(setting + "/BUILD", body)

_platforms = repository_rule(implementation = _platforms_impl, local = True, environ = ["ELECTRA_NO_SYSTEM_BAZEL_RULES"])

def _system_impl(ctx):
    root = _sysroot(ctx)
    libdir = root + _LIB_SUBDIR
    include = root + "usr/include"
    vendored = root != "/"
    if vendored:
        # Headers outside the compiler's own include path must be declared inputs.
        ctx.symlink(include, "include")
    absl_libs = []
    listing = ctx.execute(["ls", libdir])
    for name in listing.stdout.splitlines():
        if name.startswith("libabsl_") and name.endswith(".so"):
            absl_libs.append("-l" + name[3:-3])
    if not absl_libs:
        fail("no Abseil libraries under %s: install libabsl-dev (scripts/setup.sh)" % libdir)
    libs = [
        ("absl", ["-Wl,--as-needed"] + sorted(absl_libs), ["absl/**"], []),
        ("re2", ["-lre2"], ["re2/**"], [":absl"]),
        ("icu", ["-licuuc", "-licudata"], ["unicode/**"], []),
        ("nlohmann_json", [], ["nlohmann/**"], []),
        ("gtest", ["-l:libgtest.a", "-lpthread"], ["gtest/**", "gmock/**"], []),
        ("gtest_main", ["-l:libgtest_main.a"], [], [":gtest"]),
        ("benchmark", ["-lbenchmark", "-lpthread"], ["benchmark/**"], []),
        ("benchmark_main", ["-l:libbenchmark_main.a"], [], [":benchmark"]),
    ]
    build = "# Generated by //third_party:repositories.bzl from the C++ libraries under %s.\n" % libdir
    build += "package(default_visibility = [\"//visibility:public\"])\n"
    for name, link, hdrs, deps in libs:
        build += """
cc_library(
    name = "{name}",
    hdrs = {hdrs},
    includes = {includes},
    linkopts = {linkopts},
    deps = {deps},
)
""".format(
            name = name,
            hdrs = "glob(%s)" % repr(["include/" + h for h in hdrs]) if vendored and hdrs else "[]",
            includes = repr(["include"] if vendored else []),
            # DT_RPATH (not RUNPATH) so the vendored libraries' own dependencies resolve too.
            linkopts = repr(["-L" + libdir, "-Wl,-rpath," + libdir] +
                            (["-Wl,--disable-new-dtags"] if vendored else []) + link),
            deps = repr(deps),
        )
    ctx.file("BUILD", build)
    ctx.file("WORKSPACE", "workspace(name = \"system\")\n")

_system = repository_rule(
    implementation = _system_impl,
    environ = ["ELECTRA_SYSROOT"],
    local = True,
)

def _protobuf_impl(ctx):
    root = _sysroot(ctx)
    ctx.template("BUILD", ctx.attr._template, {
        "%{PROTOC}": root + "usr/bin/protoc",
        "%{LIBDIR}": root + _LIB_SUBDIR,
    })
    ctx.file("protoc.sh", """#!/bin/sh
export LD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "%s" "$@"
""" % (root + _LIB_SUBDIR, root + "usr/bin/protoc"), executable = True)
    ctx.file("WORKSPACE", "workspace(name = \"com_google_protobuf\")\n")

_protobuf = repository_rule(
    implementation = _protobuf_impl,
    environ = ["ELECTRA_SYSROOT"],
    local = True,
    attrs = {"_template": attr.label(default = "//third_party:protobuf.BUILD.tpl")},
)

def _torch_impl(ctx):
    torch_dir = ctx.os.environ.get("ELECTRA_TORCH_DIR", "")
    if torch_dir:
        cuda_home = ctx.os.environ.get("ELECTRA_CUDA_HOME", "/usr/local/cuda")

        # The wheel's include directory carries its own (older) protobuf headers, and some wheels
        # nlohmann's: leave those out so the Debian versions we link against are the ones seen.
        for child in ctx.path(torch_dir + "/include").readdir():
            if child.basename not in ["google", "nlohmann"]:
                ctx.symlink(child, "include/" + child.basename)
        cuda_include = ctx.path(cuda_home + "/include")
        has_cuda_headers = cuda_include.exists
        if has_cuda_headers:
            ctx.symlink(cuda_include, "cuda_include")
        lib = torch_dir + "/lib"
        libs = ["-L" + lib, "-Wl,-rpath," + lib, "-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10"]
        cuda = ctx.path(lib + "/libtorch_cuda.so").exists
        if cuda:
            libs += ["-ltorch_cuda", "-lc10_cuda"]
            # Inline functions of the c10 CUDA headers call the CUDA runtime directly.
            cudart = ""
            for d in [cuda_home + "/lib64", cuda_home + "/lib", torch_dir + "/../nvidia/cuda_runtime/lib"]:
                p = ctx.path(d)
                if not p.exists:
                    continue
                names = [c.basename for c in p.readdir()]
                if "libcudart.so" in names:
                    cudart = "-lcudart"
                else:
                    versioned = sorted([n for n in names if n.startswith("libcudart.so.")])
                    if versioned:
                        cudart = "-l:" + versioned[0]
                if cudart:
                    libs += ["-L" + d, "-Wl,-rpath," + d, cudart]
                    break
        libs += ["-Wl,--as-needed"]
        includes = ["include", "include/torch/csrc/api/include"]
        hdrs = "glob([\"include/**\"])"
        if has_cuda_headers:
            includes.append("cuda_include")
            hdrs = "glob([\"include/**\", \"cuda_include/**\"])"
        defines = ["ELECTRA_TORCH_WHEEL=1"]
        if cuda and has_cuda_headers:
            defines.append("ELECTRA_WITH_CUDA=1")
            # NCCL's header comes with the nvidia-nccl wheel beside torch; without it the build
            # still works, without multi-GPU training.
            nccl = ctx.path(torch_dir + "/../nvidia/nccl/include/nccl.h")
            if nccl.exists:
                ctx.symlink(nccl.dirname, "nccl_include")
                includes.append("nccl_include")
                hdrs = hdrs.replace("])", ", \"nccl_include/**\"])")
                defines.append("USE_C10D_NCCL")
    else:
        # Debian's libtorch-dev: /usr/include is on the compiler's path already; only the
        # C++ frontend's include root needs adding.
        ctx.symlink("/usr/include/torch/csrc/api/include", "api_include")
        includes = ["api_include"]
        hdrs = "glob([\"api_include/**/*.h\"])"
        libs = ["-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10", "-Wl,--as-needed"]
        defines = ["USE_C10D_GLOO"]
    ctx.file("BUILD", """package(default_visibility = ["//visibility:public"])

cc_library(
    name = "libtorch",
    hdrs = {hdrs},
    includes = {includes},
    defines = {defines},
    linkopts = {libs} + ["-lpthread"],
)
""".format(hdrs = hdrs, includes = repr(includes), defines = repr(defines), libs = repr(libs)))
    ctx.file("WORKSPACE", "workspace(name = \"libtorch\")\n")

_torch = repository_rule(
    implementation = _torch_impl,
    environ = ["ELECTRA_TORCH_DIR", "ELECTRA_CUDA_HOME"],
    local = True,
)

def electra_repositories():
    _rules_java(name = "rules_java")
    _platforms(name = "platforms")
    _system(name = "system")
    _protobuf(name = "com_google_protobuf")
    _torch(name = "libtorch")
