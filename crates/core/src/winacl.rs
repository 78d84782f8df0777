//! Owner-only files on Windows. A Unix mode of 0600 has no meaning there: an exported secret (a key CSV, a
//! credentials profile, an rclone config) gets a protected DACL that allows only the current user, so
//! nothing is inherited from the folder (on a shared machine, `C:\Users\Public` or a synced folder can
//! grant others read access).

/// The security descriptor, as SDDL, that lets only `user_sid` touch the file: a protected DACL (`P`: no
/// inherited entries) with one entry allowing full access (`FA`) to that user.
pub fn owner_only_sddl(user_sid: &str) -> String {
    format!("D:P(A;;FA;;;{user_sid})")
}

/// Give `path` an owner-only DACL. Call it on a new, still empty file, before the secret is written.
/// The only `unsafe` in the engine: the Windows security API has no safe wrapper in `windows-sys`.
#[cfg(windows)]
#[allow(unsafe_code)]
pub fn restrict_to_owner(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::windows::ffi::OsStrExt;
    use windows_sys::Win32::Foundation::{CloseHandle, LocalFree, HANDLE};
    use windows_sys::Win32::Security::Authorization::{ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1};
    use windows_sys::Win32::Security::{GetTokenInformation, SetFileSecurityW, TokenUser, DACL_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, TOKEN_QUERY, TOKEN_USER};
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    let last = std::io::Error::last_os_error;
    let wide = |s: &std::ffi::OsStr| s.encode_wide().chain(std::iter::once(0)).collect::<Vec<u16>>();
    // SAFETY: every pointer passed below points into a live local buffer of the size given, and every
    // handle or allocation the API returns is released before returning.
    unsafe {
        let mut token: HANDLE = std::ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
            return Err(last());
        }
        let mut needed = 0u32;
        GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut needed);
        let mut buf = vec![0u8; needed as usize];
        let ok = GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), needed, &mut needed);
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
        let sddl = wide(std::ffi::OsStr::new(&owner_only_sddl(&sid)));
        let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        if ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.as_ptr(), SDDL_REVISION_1, &mut sd, std::ptr::null_mut()) == 0 {
            return Err(last());
        }
        let file = wide(path.as_os_str());
        let set = SetFileSecurityW(file.as_ptr(), DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, sd);
        LocalFree(sd.cast());
        if set == 0 {
            return Err(last());
        }
    }
    Ok(())
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
}
