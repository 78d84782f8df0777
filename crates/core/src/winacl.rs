//! Owner-only files on Windows. A Unix mode of 0600 has no meaning there: an exported secret (a key CSV, a
//! credentials profile, an rclone config) gets a protected DACL that allows only the current user, so
//! nothing is inherited from the folder (on a shared machine, `C:\Users\Public` or a synced folder can
//! grant others read access). The file is created with it (`CreateFileW` with the descriptor), never given
//! it afterwards.

/// The security descriptor, as SDDL, that lets only `user_sid` touch the file: a protected DACL (`P`: no
/// inherited entries) with one entry allowing full access (`FA`) to that user.
pub fn owner_only_sddl(user_sid: &str) -> String {
    format!("D:P(A;;FA;;;{user_sid})")
}

/// Create `path` (it must not exist) already owner-only: `CreateFileW` gets the descriptor of
/// [`owner_only_sddl`] with the file, so there is no moment in which the folder's inherited entries apply,
/// and the file is opened without sharing until it is closed. Fails with `AlreadyExists` when it exists.
/// The only `unsafe` in the engine: the Windows security API has no safe wrapper in `windows-sys`.
#[cfg(windows)]
#[allow(unsafe_code)]
pub fn create_owner_only(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::windows::io::FromRawHandle;
    use windows_sys::Win32::Foundation::{LocalFree, GENERIC_READ, GENERIC_WRITE, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::Security::Authorization::{ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1};
    use windows_sys::Win32::Security::{PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES};
    use windows_sys::Win32::Storage::FileSystem::{CreateFileW, CREATE_NEW, FILE_ATTRIBUTE_NORMAL};

    let sddl = wide(std::ffi::OsStr::new(&owner_only_sddl(&current_user_sid()?)));
    let file = wide(path.as_os_str());
    // SAFETY: every pointer passed below points into a live local buffer (NUL-terminated where the API
    // reads a string); the descriptor the API allocates is freed once the file exists, and the handle
    // CreateFileW returns is owned by the File from then on.
    unsafe {
        let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        if ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.as_ptr(), SDDL_REVISION_1, &mut sd, std::ptr::null_mut()) == 0 {
            return Err(std::io::Error::last_os_error());
        }
        let attributes = SECURITY_ATTRIBUTES { nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32, lpSecurityDescriptor: sd, bInheritHandle: 0 };
        let handle = CreateFileW(file.as_ptr(), GENERIC_READ | GENERIC_WRITE, 0, &attributes, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, std::ptr::null_mut());
        let error = std::io::Error::last_os_error();
        LocalFree(sd.cast());
        if handle == INVALID_HANDLE_VALUE {
            return Err(error);
        }
        Ok(std::fs::File::from_raw_handle(handle))
    }
}

#[cfg(windows)]
fn wide(s: &std::ffi::OsStr) -> Vec<u16> {
    use std::os::windows::ffi::OsStrExt;
    s.encode_wide().chain(std::iter::once(0)).collect()
}

/// The current user's SID as text (`S-1-5-21-…`), from the process token.
#[cfg(windows)]
#[allow(unsafe_code)]
pub fn current_user_sid() -> std::io::Result<String> {
    use windows_sys::Win32::Foundation::{CloseHandle, LocalFree, HANDLE};
    use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
    use windows_sys::Win32::Security::{GetTokenInformation, TokenUser, TOKEN_QUERY, TOKEN_USER};
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    let last = std::io::Error::last_os_error;
    // SAFETY: the token buffer is u64-backed, so it is aligned for TOKEN_USER (a pointer-sized field
    // first) and as long as the API said it needs; the handle and the string the API allocates are
    // released before returning.
    unsafe {
        let mut token: HANDLE = std::ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
            return Err(last());
        }
        let mut needed = 0u32;
        GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut needed);
        let mut buf = vec![0u64; (needed as usize).div_ceil(8).max(1)];
        let ok = GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), (buf.len() * 8) as u32, &mut needed);
        CloseHandle(token);
        if ok == 0 {
            return Err(last());
        }
        let user = &*(buf.as_ptr() as *const TOKEN_USER);
        let mut sid_text: *mut u16 = std::ptr::null_mut();
        if ConvertSidToStringSidW(user.User.Sid, &mut sid_text) == 0 {
            return Err(last());
        }
        let len = (0..).take_while(|&i| *sid_text.add(i) != 0).count();
        let sid = String::from_utf16_lossy(std::slice::from_raw_parts(sid_text, len));
        LocalFree(sid_text.cast());
        Ok(sid)
    }
}

/// The DACL of `path` as SDDL (`D:P(A;;FA;;;S-…)`), for checking what a file was created with.
#[cfg(windows)]
#[allow(unsafe_code)]
pub fn dacl_sddl(path: &std::path::Path) -> std::io::Result<String> {
    use windows_sys::Win32::Foundation::LocalFree;
    use windows_sys::Win32::Security::Authorization::{ConvertSecurityDescriptorToStringSecurityDescriptorW, SDDL_REVISION_1};
    use windows_sys::Win32::Security::{GetFileSecurityW, DACL_SECURITY_INFORMATION};

    let file = wide(path.as_os_str());
    // SAFETY: the descriptor buffer is u64-backed (aligned) and as long as the API said it needs; the
    // string the API allocates is freed before returning.
    unsafe {
        let mut needed = 0u32;
        GetFileSecurityW(file.as_ptr(), DACL_SECURITY_INFORMATION, std::ptr::null_mut(), 0, &mut needed);
        let mut buf = vec![0u64; (needed as usize).div_ceil(8).max(1)];
        if GetFileSecurityW(file.as_ptr(), DACL_SECURITY_INFORMATION, buf.as_mut_ptr().cast(), (buf.len() * 8) as u32, &mut needed) == 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut text: *mut u16 = std::ptr::null_mut();
        if ConvertSecurityDescriptorToStringSecurityDescriptorW(buf.as_mut_ptr().cast(), SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &mut text, std::ptr::null_mut()) == 0 {
            return Err(std::io::Error::last_os_error());
        }
        let len = (0..).take_while(|&i| *text.add(i) != 0).count();
        let out = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
        LocalFree(text.cast());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The descriptor names one user with full access and nothing inherited (checked by shape on every
    /// platform; on Windows, restrict_to_owner applies exactly this).
    #[test]
    fn the_descriptor_allows_only_the_user() {
        let sddl = owner_only_sddl("S-1-5-21-1004336348-1177238915-682003330-512");
        assert_eq!(sddl, "D:P(A;;FA;;;S-1-5-21-1004336348-1177238915-682003330-512)");
        assert_eq!(sddl.matches("(A;").count(), 1, "one allow entry");
        assert!(sddl.starts_with("D:P"), "protected: the folder's entries are not inherited");
        assert!(!sddl.contains("WD") && !sddl.contains("BU") && !sddl.contains("AU"), "no Everyone, Users or Authenticated Users");
    }

    /// On Windows (under Wine in `make wine-test`): the file is born with that descriptor, and a second
    /// create of the same name is refused.
    #[cfg(windows)]
    #[test]
    fn a_file_is_created_owner_only() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.csv");
        let mut f = create_owner_only(&path).unwrap();
        // Windows keeps exactly the descriptor given; Wine keeps a Unix mode and reports the DACL made from
        // it (the owner, and SYSTEM standing in for root): either way, nobody else.
        let sddl = dacl_sddl(&path).unwrap();
        let user = current_user_sid().unwrap();
        let allowed: Vec<&str> = sddl.split('(').skip(1).map(|ace| ace.trim_end_matches(')').rsplit(';').next().unwrap_or_default()).collect();
        assert!(allowed.contains(&user.as_str()) && allowed.iter().all(|sid| *sid == user || *sid == "SY"), "{sddl}");
        assert!(!sddl.contains("(D;"), "{sddl}");
        f.write_all(b"x").unwrap();
        drop(f);
        assert_eq!(create_owner_only(&path).unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
    }
}
