//! A real HTTP/1.1 file server on 127.0.0.1 for download tests: serves byte ranges, can drop the
//! connection part-way or serve corrupted bytes, and records every request it saw.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Behaviour {
    /// Close the connection after this many body bytes, for the first `drops` requests.
    pub drop_after: Option<u64>,
    pub drops: usize,
    /// Flip one byte in the middle of what is served.
    pub corrupt: bool,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// Send the body at about this many bytes a second (so a client's progress can be watched).
    pub bytes_per_sec: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub range: Option<String>,
    pub status: u16,
}

struct File {
    bytes: Arc<Vec<u8>>,
    behaviour: Behaviour,
    served: usize,
}

pub struct FileServer {
    pub base: String,
    files: Arc<Mutex<HashMap<String, File>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FileServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let files: Arc<Mutex<HashMap<String, File>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (f, s) = (files.clone(), seen.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (f, s) = (f.clone(), s.clone());
                std::thread::spawn(move || {
                    let _ = handle(conn, &f, &s);
                });
            }
        });
        Self { base, files, seen }
    }

    pub fn serve(&self, path: &str, bytes: Arc<Vec<u8>>, behaviour: Behaviour) -> String {
        self.files.lock().unwrap().insert(
            path.to_string(),
            File {
                bytes,
                behaviour,
                served: 0,
            },
        );
        format!("{}{}", self.base, path)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn handle(
    conn: TcpStream,
    files: &Mutex<HashMap<String, File>>,
    seen: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut range = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            }
        }
    }
    let mut out = conn;
    let found = {
        let mut files = files.lock().unwrap();
        files.get_mut(&path).map(|f| {
            f.served += 1;
            (f.bytes.clone(), f.behaviour.clone(), f.served)
        })
    };
    let Some((bytes, behaviour, served)) = found else {
        seen.lock().unwrap().push(Seen {
            path,
            range,
            status: 404,
        });
        out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        )?;
        return Ok(());
    };
    let len = bytes.len() as u64;
    let start = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split('-').next())
        .and_then(|s| s.parse::<u64>().ok());
    let (status, start) = match start {
        Some(s) if s >= len => {
            seen.lock().unwrap().push(Seen {
                path,
                range,
                status: 416,
            });
            out.write_all(format!("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes())?;
            return Ok(());
        }
        Some(s) => (206, s),
        None => (200, 0),
    };
    seen.lock().unwrap().push(Seen {
        path,
        range,
        status,
    });
    let mut head = if status == 206 {
        format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{len}\r\n",
            len - 1
        )
    } else {
        "HTTP/1.1 200 OK\r\n".to_string()
    };
    head.push_str(&format!(
        "Content-Length: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n",
        len - start
    ));
    for (k, v) in &behaviour.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    let mut body = bytes[start as usize..].to_vec();
    if behaviour.corrupt {
        let mid = (len / 2).saturating_sub(start) as usize;
        if mid < body.len() {
            body[mid] ^= 0x5a;
        }
    }
    let limit = match behaviour.drop_after {
        Some(n) if served <= behaviour.drops => (n as usize).min(body.len()),
        _ => body.len(),
    };
    match behaviour.bytes_per_sec {
        None => out.write_all(&body[..limit])?,
        Some(rate) => {
            // 20 slices a second.
            let slice = (rate / 20).max(1) as usize;
            for part in body[..limit].chunks(slice) {
                out.write_all(part)?;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }
    out.flush()?;
    if limit < body.len() {
        // Abrupt close in the middle of the body.
        let _ = out.shutdown(std::net::Shutdown::Both);
    }
    Ok(())
}
