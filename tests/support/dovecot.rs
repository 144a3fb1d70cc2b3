//! A real Dovecot IMAP server on 127.0.0.1 for one test: its own config, users, mail and port in
//! a temporary folder; stopped and removed when dropped.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TEMPLATE: &str = include_str!("dovecot.conf.template");

pub struct Dovecot {
    root: PathBuf,
    pub port: u16,
    child: Child,
}

fn command_output(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect(program);
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn dovecot_binary() -> PathBuf {
    let path = PathBuf::from("/usr/sbin/dovecot");
    assert!(
        path.exists(),
        "Dovecot is missing: scripts/install-deps.sh installs dovecot-imapd"
    );
    path
}

impl Dovecot {
    /// Starts a server with these `(user, password)` accounts.
    pub fn start(users: &[(&str, &str)]) -> Dovecot {
        // Short path: Dovecot's Unix sockets live under it (their paths are limited to ~108 bytes).
        let root = PathBuf::from(command_output(
            "mktemp",
            &["-d", "/tmp/dovecot-test.XXXXXX"],
        ));
        let is_root = std::fs::metadata(&root).unwrap().uid() == 0;
        // As root, the helper processes run as dovecot/dovenull and must be able to enter ROOT.
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir(root.join("mail")).unwrap();
        std::fs::set_permissions(root.join("mail"), std::fs::Permissions::from_mode(0o777))
            .unwrap();
        let user_db = root.join("users");
        let lines: String = users
            .iter()
            .map(|(u, p)| format!("{u}:{{PLAIN}}{p}::::::\n"))
            .collect();
        std::fs::write(&user_db, lines).unwrap();
        let (run_user, run_group, login_user) = if is_root {
            (
                "dovecot".to_string(),
                "dovecot".to_string(),
                "dovenull".to_string(),
            )
        } else {
            let user = command_output("id", &["-un"]);
            (user.clone(), command_output("id", &["-gn"]), user)
        };
        for _ in 0..5 {
            // A free port: bind port 0, note the number, release it (retried if someone takes it).
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let conf = TEMPLATE
                .replace("{{ROOT}}", root.to_str().unwrap())
                .replace("{{PORT}}", &port.to_string())
                .replace("{{USER_DB}}", user_db.to_str().unwrap())
                .replace("{{RUN_USER}}", &run_user)
                .replace("{{RUN_GROUP}}", &run_group)
                .replace("{{LOGIN_USER}}", &login_user);
            let conf_path = root.join("dovecot.conf");
            std::fs::write(&conf_path, conf).unwrap();
            let child = Command::new(dovecot_binary())
                .arg("-F")
                .arg("-c")
                .arg(&conf_path)
                .stdin(Stdio::null())
                // Its own process group, so stopping reaches the master and its children at once.
                .process_group(0)
                .spawn()
                .expect("start dovecot");
            let mut server = Dovecot {
                root: root.clone(),
                port,
                child,
            };
            if server.wait_ready(Duration::from_secs(10)) {
                return server;
            }
            server.stop();
            std::mem::forget(server); // keep ROOT for the next attempt
        }
        let log = std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default();
        panic!("dovecot did not start; its log:\n{log}");
    }

    /// Puts a message into `user`'s INBOX by IMAP APPEND, as another mail client would (on a
    /// thread and runtime of its own, so async tests can call it too).
    pub fn append(&self, user: &str, password: &str, message: Vec<u8>) {
        let (port, user, password) = (self.port, user.to_string(), password.to_string());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .unwrap();
                let mut client = async_imap::Client::new(tcp);
                client.read_response().await.unwrap().expect("greeting");
                let mut session = client
                    .login(&user, &password)
                    .await
                    .map_err(|(e, _)| e)
                    .unwrap();
                session.append("INBOX", None, None, message).await.unwrap();
                session.logout().await.unwrap();
            })
        })
        .join()
        .unwrap();
    }

    /// Ready means the greeting arrived (the master accepts connections before it can serve them).
    fn wait_ready(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(s) = TcpStream::connect(("127.0.0.1", self.port)) {
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut line = String::new();
                if BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("* OK") {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// SIGTERM to the whole group, repeated (a child forked just after a signal misses it).
    pub fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        let signal = |sig: &str| {
            Command::new("kill")
                .args([sig, "--", &group])
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut next_term = Instant::now();
        loop {
            if Instant::now() >= next_term {
                signal("-TERM");
                next_term = Instant::now() + Duration::from_millis(100);
            }
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                _ if Instant::now() > deadline => {
                    signal("-KILL");
                    let _ = self.child.wait();
                    break;
                }
                _ => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        while signal("-0") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
